// statvfs figures and the mount-point rule, on the machine's own file systems.
#include "promise/disk_space.hpp"

#include <gtest/gtest.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>

namespace promise {
namespace {

TEST(DiskSpace, MatchesStatvfsAsTheCollectorStoresIt) {
  std::string error;
  const auto space = disk_space("/", error);
  ASSERT_TRUE(space.has_value()) << error;
  struct statvfs info {};
  ASSERT_EQ(::statvfs("/", &info), 0);
  EXPECT_EQ(
      space->size_bytes(),
      (static_cast<std::uint64_t>(info.f_blocks - info.f_bfree) + info.f_bavail) * info.f_frsize);
  EXPECT_LE(space->size_bytes(), static_cast<std::uint64_t>(info.f_blocks) * info.f_frsize);
  EXPECT_EQ(space->inodes, info.f_files);
}

TEST(DiskSpace, InodeUsageIsAPercentageOrNothing) {
  DiskSpace space;
  EXPECT_FALSE(space.inode_use_percent().has_value());  // btrfs: f_files = 0
  space.inodes = 200;
  space.free_inodes = 3;
  EXPECT_DOUBLE_EQ(*space.inode_use_percent(), 98.5);
  space.free_inodes = 500;  // a file system that reports more free than total
  EXPECT_DOUBLE_EQ(*space.inode_use_percent(), 0);
}

TEST(DiskSpace, SaysWhyAPathCannotBeMeasured) {
  std::string error;
  EXPECT_FALSE(disk_space("/nonexistent/path", error).has_value());
  EXPECT_EQ(error, "No such file or directory");
  EXPECT_FALSE(disk_space("", error).has_value());
}

TEST(IsMountPoint, AsPythonOsPathIsmount) {
  EXPECT_TRUE(is_mount_point("/"));
  EXPECT_TRUE(is_mount_point("/proc"));
  EXPECT_FALSE(is_mount_point("/proc/self/fd"));      // a directory inside a file system
  EXPECT_FALSE(is_mount_point("/proc/self"));         // a symbolic link
  EXPECT_FALSE(is_mount_point("/proc/self/status"));  // a file
  EXPECT_FALSE(is_mount_point("/nonexistent"));
  const auto dir =
      std::filesystem::temp_directory_path() / ("ismount-" + std::to_string(::getpid()));
  std::filesystem::create_directory(dir);
  EXPECT_FALSE(is_mount_point(dir.string()));
  std::filesystem::remove(dir);
}

}  // namespace
}  // namespace promise
