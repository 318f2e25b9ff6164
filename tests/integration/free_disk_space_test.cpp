// check_free_disk_space on real file systems: small tmpfs mounts (size= and nr_inodes=) in
// private user and mount namespaces (no root needed), filled to just above or below a limit.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bad_input.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kDisk = binary("check_free_disk_space");
constexpr long kMiB = 1024 * 1024;

// Child side, after the tmpfs is mounted: bytes of data in a file, or empty files.
void fill_bytes(const std::string& path, long bytes) {
  static char zeros[64 * 1024];
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) ::_exit(124);
  while (bytes > 0) {
    const long n =
        ::write(fd, zeros, static_cast<std::size_t>(std::min<long>(bytes, sizeof zeros)));
    if (n <= 0) ::_exit(124);
    bytes -= n;
  }
  ::close(fd);
}

void fill_inodes(const std::string& dir, int files) {
  for (int i = 0; i < files; ++i) {
    const int fd =
        ::open((dir + "/f" + std::to_string(i)).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) ::_exit(124);
    ::close(fd);
  }
}

class FreeDiskSpace : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!namespaces_available()) GTEST_SKIP() << "user/mount namespaces are not available";
    fs::create_directory(disk_);
  }

  // Runs the promise with args in a namespace where disk_ is a fresh tmpfs (16 MiB, 100
  // inodes unless told), filled by fill.
  ProcessResult check_on_tmpfs(std::vector<std::string> args, std::function<void()> fill,
                               const std::string& options = "size=16m,nr_inodes=100") {
    ProcessSpec spec;
    args.insert(args.begin(), kDisk);
    spec.argv = args;
    spec.before_exec = [&] {
      enter_private_tmpfs(disk_, options);
      fill();
    };
    return run_process(spec);
  }

  TempDir dir_;
  std::string disk_ = dir_ / "disk";
  std::string data_ = disk_ + "/data";
};

// The metrics, exactly: the tmpfs figures are known to the byte.
std::string metrics(long free, long size, double threshold, double inodes_percent) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer,
                "\"metrics\":{\"free\":{\"value\":%ld,\"unit\":\"B\"},\"size\":{\"value\":%ld,"
                "\"unit\":\"B\"},\"threshold\":{\"value\":%.9g,\"unit\":\"B\"},"
                "\"inodes_used_percent\":{\"value\":%.9g,\"unit\":\"%%\"}}",
                free, size, threshold, inodes_percent);
  return buffer;
}

TEST_F(FreeDiskSpace, SpaceAboveTheDefaultThresholdHolds) {
  // 16 MiB, 14 MiB written: 2 MiB free, above 5 % of 16 MiB (0.8 MiB).
  auto result = check_on_tmpfs({"--path", disk_}, [&] { fill_bytes(data_, 14 * kMiB); });
  expect_line(result, 0,
              "OK: Current disk usage: OK, remaining 0.00 G (disk size: 0.02 G, threshold: 0.00 "
              "G), inodes 2.00% used");
  auto json =
      check_on_tmpfs({"--path", disk_, "--format", "json"}, [&] { fill_bytes(data_, 14 * kMiB); });
  EXPECT_NE(json.output.find(metrics(2 * kMiB, 16 * kMiB, 0.05 * 16 * kMiB, 2)), std::string::npos)
      << json.output;
}

TEST_F(FreeDiskSpace, NagiosPerfdataHasUnitsAndTheThresholdsApplied) {
  auto nagios = check_on_tmpfs({"--path", disk_, "--format", "nagios"},
                               [&] { fill_bytes(data_, 14 * kMiB); });
  EXPECT_EQ(nagios.exit_code, 0) << nagios.output;
  // free: CRITICAL at or below the threshold (5 % of 16 MiB), between 0 and the size; inodes:
  // CRITICAL from 98 %.
  EXPECT_NE(nagios.output.find(" | free=2097152B;;@0:838860.8;0;16777216 size=16777216B;;;0 "
                               "threshold=838860.8B inodes_used_percent=2%;;@98:100;0;100\n"),
            std::string::npos)
      << nagios.output;
}

TEST_F(FreeDiskSpace, SpaceBelowTheDefaultThresholdFails) {
  // 0.5 MiB free, below 5 % of 16 MiB.
  auto result = check_on_tmpfs({"--path", disk_}, [&] { fill_bytes(data_, 15 * kMiB + kMiB / 2); });
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output,
            "CRITICAL: Free disk space low: remaining 0.00 G (disk size: 0.02 G, threshold: 0.00 "
            "G).\n");
}

TEST_F(FreeDiskSpace, ExplicitThresholdInGibibytesWithFractions) {
  auto fill = [&] { fill_bytes(data_, 15 * kMiB); };  // 1 MiB free
  // 0.001 GiB = 1.05 MiB: more than is free.
  expect_line(check_on_tmpfs({"--path", disk_, "--threshold", "0.001"}, fill), 2,
              "CRITICAL: Free disk space low: remaining 0.00 G");
  // 0.0009 GiB = 0.94 MiB: less than is free.
  expect_line(check_on_tmpfs({"--path", disk_, "--threshold", "0.0009"}, fill), 0,
              "OK: Current disk usage: OK");
  // Exactly 1 MiB: free space must be above the threshold, as in the plugin.
  expect_line(check_on_tmpfs({"--path", disk_, "--threshold", "0.0009765625"}, fill), 2,
              "CRITICAL: Free disk space low");
  // 0: only a full disk fails.
  expect_line(check_on_tmpfs({"--path", disk_, "--threshold", "0"}, fill), 0,
              "OK: Current disk usage: OK");
  expect_line(
      check_on_tmpfs({"--path", disk_, "--threshold", "0"}, [&] { fill_bytes(data_, 16 * kMiB); }),
      2, "CRITICAL: Free disk space low: remaining 0.00 G");
}

TEST_F(FreeDiskSpace, ThresholdsOfTenGibibytesAndMoreAreShownWithoutDecimals) {
  auto result = check_on_tmpfs({"--path", disk_, "--threshold", "278"}, [] {});
  EXPECT_EQ(result.output,
            "CRITICAL: Free disk space low: remaining 0.02 G (disk size: 0.02 G, threshold: 278 "
            "G).\n");
}

TEST_F(FreeDiskSpace, InodesUsedAtNinetyEightPercentFail) {
  // 100 inodes: the root directory and 97 files use 98.
  auto result = check_on_tmpfs({"--path", disk_}, [&] { fill_inodes(disk_, 97); });
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output,
            "CRITICAL: Disk Inodes usage is really high: 98.0000%; Current disk usage: OK, "
            "remaining 0.02 G (disk size: 0.02 G, threshold: 0.00 G)\n");
  expect_line(check_on_tmpfs({"--path", disk_}, [&] { fill_inodes(disk_, 96); }), 0,
              "OK: Current disk usage: OK, remaining 0.02 G (disk size: 0.02 G, threshold: 0.00 "
              "G), inodes 97.00% used");
}

TEST_F(FreeDiskSpace, BothAlarmsAreReportedInThePluginsOrder) {
  auto result = check_on_tmpfs({"--path", disk_}, [&] {
    fill_inodes(disk_, 96);
    fill_bytes(data_, 16 * kMiB);
  });
  expect_line(result, 2,
              "CRITICAL: Disk Inodes usage is really high: 98.0000%; Free disk space low: "
              "remaining 0.00 G (disk size: 0.02 G, threshold: 0.00 G).");
}

TEST_F(FreeDiskSpace, InodesOfTmpAreCheckedWhenItIsAMountPoint) {
  // /tmp is a 50-inode tmpfs with 49 in use (98 %); the partition is another, healthy tmpfs.
  ProcessSpec spec;
  spec.argv = {kDisk, "--path", "/tmp/partition"};
  spec.before_exec = [] {
    // The build tree may itself be under /tmp, which the tmpfs hides: keep the binary open
    // and execute it from the descriptor.
    const int binary = ::open(kDisk.c_str(), O_RDONLY);
    if (binary < 0) ::_exit(123);
    enter_private_tmpfs("/tmp", "size=1m,nr_inodes=50");
    if (::mkdir("/tmp/partition", 0700) != 0) ::_exit(124);
    fill_inodes("/tmp", 47);
    if (::mount("tmpfs", "/tmp/partition", "tmpfs", 0, "size=16m") != 0) ::_exit(125);
    char* argv[] = {const_cast<char*>(kDisk.c_str()), const_cast<char*>("--path"),
                    const_cast<char*>("/tmp/partition"), nullptr};
    ::fexecve(binary, argv, environ);
    ::_exit(126);
  };
  auto result = run_process(spec);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output,
            "CRITICAL: Disk Inodes usage is really high: 98.0000% on /tmp; Current disk usage: "
            "OK, remaining 0.02 G (disk size: 0.02 G, threshold: 0.00 G), inodes 0.00% used\n");
}

TEST_F(FreeDiskSpace, ThresholdFileIsIgnoredUnlessAskedFor) {
  const std::string file = dir_ / "min-free-disk-size";
  std::ofstream(file) << "2\n";                       // MiB
  auto fill = [&] { fill_bytes(data_, 15 * kMiB); };  // 1 MiB free, default threshold 0.8 MiB
  expect_line(check_on_tmpfs({"--path", disk_, "--threshold-file", file}, fill), 0,
              "OK: Current disk usage: OK");
  expect_line(
      check_on_tmpfs({"--path", disk_, "--threshold_file", file, "--use-threshold-file"}, fill), 2,
      "CRITICAL: Free disk space low: remaining 0.00 G");
  std::ofstream(file) << "0";
  expect_line(check_on_tmpfs({"--path", disk_, "--threshold-file", file, "--use-threshold-file"},
                             [&] { fill_bytes(data_, 16 * kMiB); }),
              0, "OK: free disk space check turned off by --threshold-file '" + file + "' (0)");
}

TEST_F(FreeDiskSpace, UnusableThresholdFileIsUnknown) {
  const std::string file = dir_ / "min-free-disk-size";
  for (const std::string content : {"", "1.5", "-1", "lots", "99999999999999999999999"}) {
    std::ofstream(file) << content;
    auto result =
        check_on_tmpfs({"--path", disk_, "--threshold-file", file, "--use-threshold-file"}, [] {});
    expect_line(result, 3, "UNKNOWN: --threshold-file '" + file + "' does not hold one integer");
  }
  auto missing = check_on_tmpfs(
      {"--path", disk_, "--threshold-file", dir_ / "missing", "--use-threshold-file"}, [] {});
  expect_line(missing, 3,
              "UNKNOWN: cannot read --threshold-file '" + (dir_ / "missing") +
                  "': No such file or directory");
}

TEST_F(FreeDiskSpace, PluginOptionsAreAcceptedAndChangeNothing) {
  auto fill = [&] { fill_bytes(data_, 14 * kMiB); };
  auto plain = check_on_tmpfs({"--path", disk_}, fill);
  auto with_plugin_options = check_on_tmpfs(
      {"--path", disk_, "--collectordb", "/srv/slapgrid/var/data-log/collector.db",
       "--display-partition=1", "--display_prediction=1", "--nb_days_predicted", "12"},
      fill);
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(with_plugin_options.output, plain.output);
}

TEST(FreeDiskSpaceInput, MissingPathIsUnknown) {
  expect_line(run({kDisk, "--path", "/nonexistent/partition"}), 3,
              "UNKNOWN: cannot read the disk usage of '/nonexistent/partition': No such file or "
              "directory");
}

TEST(FreeDiskSpaceInput, FileSystemWithoutBlocksIsUnknown) {
  expect_line(run({kDisk, "--path", "/proc"}), 3,
              "UNKNOWN: '/proc' is on a file system without blocks (such as /proc): no disk "
              "space to check");
}

class FreeDiskSpaceInstall : public ::testing::TestWithParam<std::string> {};

TEST_P(FreeDiskSpaceInstall, InstalledPromiseChecksTheFileSystemOfItsWorkingDirectory) {
  if (!namespaces_available()) GTEST_SKIP() << "user/mount namespaces are not available";
  Partition partition;
  const std::string srv = partition.dir / "srv";
  fs::create_directory(srv);
  ASSERT_EQ(partition
                .install(kDisk, "check-free-disk-space", GetParam(),
                         {"--collectordb", "/srv/slapgrid/var/data-log/collector.db",
                          "--threshold-file", "etc/min-free-disk-size"})
                .exit_code,
            0);
  // The partition's files live on a 16 MiB tmpfs; slapgrid runs the promise with cwd there.
  auto low = partition.run_like_slapgrid("check-free-disk-space", srv, [&] {
    enter_private_tmpfs(srv, "size=16m");
    fill_bytes(srv + "/data", 15 * kMiB + kMiB / 2);
  });
  expect_line(low, 2, "CRITICAL: Free disk space low: remaining 0.00 G (disk size: 0.02 G");
  auto ok = partition.run_like_slapgrid("check-free-disk-space", srv,
                                        [&] { enter_private_tmpfs(srv, "size=16m"); });
  expect_line(ok, 0, "OK: Current disk usage: OK, remaining 0.02 G (disk size: 0.02 G");
}

INSTANTIATE_TEST_SUITE_P(Modes, FreeDiskSpaceInstall, ::testing::Values("script", "copy"));

class BadDiskInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadDiskInput, IsUnknownWithAOneLineReasonAndInstallsNothing) {
  expect_bad_input_refused(kDisk, GetParam(), "copy");
}

INSTANTIATE_TEST_SUITE_P(
    FreeDiskSpace, BadDiskInput,
    ::testing::Values(BadInput{"NegativeThreshold", {"--threshold", "-1"}, "'-1' is not a size"},
                      BadInput{"WordThreshold", {"--threshold", "five"}, "'five' is not a size"},
                      BadInput{"EmptyThreshold", {"--threshold", ""}, "'' is not a size"},
                      BadInput{"NanThreshold", {"--threshold", "nan"}, "'nan' is not a size"},
                      BadInput{"InfiniteThreshold", {"--threshold", "inf"}, "'inf' is not a size"},
                      BadInput{"PercentThreshold", {"--threshold", "5%"}, "'5%' is not a size"},
                      BadInput{"EmptyPath", {"--path", ""}, "empty path"},
                      BadInput{"UseFileWithoutFile",
                               {"--use-threshold-file"},
                               "--use-threshold-file requires --threshold-file"},
                      BadInput{"BadDays", {"--nb-days-predicted", "ten"}, "--nb-days-predicted"},
                      BadInput{
                          "NegativeDays", {"--nb-days-predicted", "-1"}, "--nb-days-predicted"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test
