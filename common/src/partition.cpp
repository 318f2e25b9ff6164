#include "promise/partition.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace promise {
namespace {

const char* kPartition = "Partition";

const CLI::Validator& partition_id() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        if (value.empty() || value == "." || value == ".." ||
            value.find_first_of(std::string("/\0", 2)) != std::string::npos) {
          return "'" + value + "' is not a partition id (a file name such as slappart3)";
        }
        return {};
      },
      "ID", "partition_id");
  return validator;
}

const CLI::Validator& directory() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        struct stat info {};
        if (value.empty()) return "empty directory name";
        if (::stat(value.c_str(), &info) != 0) {
          return "'" + value + "': " + std::strerror(errno);
        }
        if (!S_ISDIR(info.st_mode)) return "'" + value + "' is not a directory";
        return {};
      },
      "DIR", "directory");
  return validator;
}

}  // namespace

void declare_partition_options(CLI::App& app, PartitionOptions& options) {
  app.add_option("--partition-folder", options.folder,
                 "The partition's folder (default: the working directory, which slapgrid sets to "
                 "the partition)")
      ->check(directory())
      ->type_name("DIR")
      ->group(kPartition);
  app.add_option("--partition-id", options.id,
                 "The partition's id (default: the last component of the partition folder, as "
                 "slapgrid names them: slappart3)")
      ->check(partition_id())
      ->group(kPartition);
}

Partition resolve_partition(const PartitionOptions& options) {
  Partition partition;
  std::string folder = options.folder == "." || options.folder == "./" ? "" : options.folder;
  if (folder.empty() || folder.front() != '/') {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) {
      partition.error = std::string("cannot tell the partition folder: the working directory: ") +
                        std::strerror(errno);
      return partition;
    }
    folder = folder.empty() ? std::string(cwd) : std::string(cwd) + "/" + folder;
  }
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  struct stat info {};
  if (::stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    partition.error = "partition folder " + folder + " is not a directory";
    return partition;
  }
  std::string id = options.id;
  if (id.empty()) {
    id = folder.substr(folder.rfind('/') + 1);
    if (id.empty() || id == "." || id == "..") {
      partition.error =
          "cannot tell the partition id from the folder " + folder + ": give --partition-id";
      return partition;
    }
  }
  partition.folder = std::move(folder);
  partition.id = std::move(id);
  return partition;
}

}  // namespace promise
