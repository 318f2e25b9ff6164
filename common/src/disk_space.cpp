#include "promise/disk_space.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

namespace promise {

std::optional<double> DiskSpace::inode_use_percent() const {
  if (inodes == 0) return std::nullopt;
  const std::uint64_t free = free_inodes > inodes ? inodes : free_inodes;
  return 100.0 * static_cast<double>(inodes - free) / static_cast<double>(inodes);
}

std::optional<DiskSpace> disk_space(const std::string& path, std::string& error) {
  struct statvfs info {};
  int result = 0;
  do {
    result = ::statvfs(path.c_str(), &info);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  const std::uint64_t fragment = info.f_frsize != 0 ? info.f_frsize : info.f_bsize;
  DiskSpace space;
  space.free_bytes = static_cast<std::uint64_t>(info.f_bavail) * fragment;
  const std::uint64_t used_blocks =
      info.f_blocks > info.f_bfree ? static_cast<std::uint64_t>(info.f_blocks - info.f_bfree) : 0;
  space.used_bytes = used_blocks * fragment;
  space.inodes = info.f_files;
  space.free_inodes = info.f_ffree;
  return space;
}

bool is_mount_point(const std::string& path) {
  struct stat self {};
  if (::lstat(path.c_str(), &self) != 0 || S_ISLNK(self.st_mode)) return false;
  struct stat parent {};
  if (::lstat((path + "/..").c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

}  // namespace promise
