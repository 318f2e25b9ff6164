#pragma once
// The partition a promise looks after. slapgrid runs promises with the partition as working
// directory and names partition folders by partition id (/srv/slapgrid/slappart3 is slappart3),
// so neither needs to be given; the plugins get both from slapgrid as "partition-folder" and
// "partition-id", and --partition-folder / --partition-id override them here.

#include <CLI/CLI.hpp>

#include <string>

namespace promise {

struct PartitionOptions {
  std::string folder;  // --partition-folder; empty: the working directory
  std::string id;      // --partition-id; empty: the folder's last component
};

// --partition-folder (an existing directory, checked at --install too) and --partition-id
// (a file name: no '/', not empty, not "." or "..").
void declare_partition_options(CLI::App& app, PartitionOptions& options);

struct Partition {
  std::string folder;  // absolute, no trailing '/'
  std::string id;
  std::string error;  // why it cannot be known (then folder and id are empty)
};

Partition resolve_partition(const PartitionOptions& options);

}  // namespace promise
