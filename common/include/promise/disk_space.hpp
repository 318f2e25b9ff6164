#pragma once
// The space and inodes of the file system holding a path, from statvfs(3), with the figures
// SlapOS reads: the collector (slapos.core collect, through psutil.disk_usage) stores
//   free = f_bavail * f_frsize            (what an unprivileged user may still write)
//   used = (f_blocks - f_bfree) * f_frsize
// and check_free_disk_space calls free + used the disk size: the blocks reserved for root
// are in neither. Inode usage is 100 * (f_files - f_ffree) / f_files; file systems without
// an inode table (btrfs reports f_files = 0) have none.

#include <cstdint>
#include <optional>
#include <string>

namespace promise {

struct DiskSpace {
  std::uint64_t free_bytes = 0;   // f_bavail * f_frsize
  std::uint64_t used_bytes = 0;   // (f_blocks - f_bfree) * f_frsize
  std::uint64_t inodes = 0;       // f_files
  std::uint64_t free_inodes = 0;  // f_ffree

  std::uint64_t size_bytes() const { return free_bytes + used_bytes; }
  // Percentage of inodes in use; nothing when the file system reports no inodes.
  std::optional<double> inode_use_percent() const;
};

// statvfs(path); nothing when it fails, with the reason in error ("No such file or
// directory").
std::optional<DiskSpace> disk_space(const std::string& path, std::string& error);

// Python's os.path.ismount(path), which check_free_disk_space uses for /tmp: path is not a
// symbolic link and is the root of a file system (its device differs from its parent's, or
// it is its own parent). False when path cannot be stat'ed.
bool is_mount_point(const std::string& path);

}  // namespace promise
