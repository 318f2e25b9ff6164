// --install: promise files with baked-in options, run the way slapgrid runs them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "listeners.hpp"
#include "process.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kSocket = binary("check_socket_listening");
const std::string kPort = binary("check_port_listening");

// A partition as slapgrid sees it: etc/promise inside.
struct Partition {
  TempDir dir;
  std::string promise_dir = dir / "etc/promise";
  Partition() { fs::create_directories(promise_dir); }
  std::string promise(const std::string& name) const { return promise_dir + "/" + name; }

  // As slapgrid: argv is the path alone, cwd the partition, a clean environment, stdout and
  // stderr merged into one pipe.
  ProcessResult run_like_slapgrid(const std::string& name) const {
    ProcessSpec spec;
    spec.argv = {promise(name)};
    spec.cwd = dir.path();
    spec.env = clean_environment();
    spec.time_limit = 20;
    return run_process(spec);
  }
};

ProcessResult install(std::vector<std::string> args) {
  return run(args);
}

class InstallModes : public ::testing::TestWithParam<std::string> {};

TEST_P(InstallModes, InstalledPromiseRunsLikeSlapgridRunsIt) {
  const std::string mode = GetParam();
  Partition partition;
  auto listener = Listener::tcp("::1");
  const auto up = std::to_string(listener.port());
  const auto down = std::to_string(unused_port());
  auto result = install({kSocket, "--install", partition.promise("web"), "--mode", mode, "--host",
                         "[::1]", "--port", up, "--timeout", "3"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.rfind("installed " + partition.promise("web"), 0), 0u) << result.output;
  result = install({kPort, "--install", partition.promise("db"), "--mode", mode, "--hostname",
                    "127.0.0.1", "--port", down});
  ASSERT_EQ(result.exit_code, 0) << result.output;

  struct stat info {};
  ASSERT_EQ(::stat(partition.promise("web").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);

  auto holds = partition.run_like_slapgrid("web");
  EXPECT_EQ(holds.exit_code, 0) << holds.output;
  EXPECT_EQ(holds.output.rfind("OK: [::1]:" + up + " is listening", 0), 0u) << holds.output;
  auto fails = partition.run_like_slapgrid("db");
  EXPECT_EQ(fails.exit_code, 2) << fails.output;
  EXPECT_EQ(fails.output,
            "CRITICAL: 127.0.0.1:" + down + " is not listening: connection refused\n");
  for (const auto& output : {holds.output, fails.output}) {
    EXPECT_TRUE(is_utf8(output));
    EXPECT_LT(output.size(), 5000u);  // slapgrid keeps only the last 5000 characters
  }
}

TEST_P(InstallModes, CommandLineOverridesBakedOptions) {
  Partition partition;
  auto listener = Listener::tcp("127.0.0.1");
  const auto down = std::to_string(unused_port());
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--mode", GetParam(), "--host",
                     "127.0.0.1", "--port", down})
                .exit_code,
            0);
  auto result = run({partition.promise("p"), "--port", std::to_string(listener.port()), "-v"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("connecting to 127.0.0.1:" + std::to_string(listener.port())),
            std::string::npos)
      << result.output;
}

TEST_P(InstallModes, ShowConfigPrintsTheBakedOptions) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--mode", GetParam(), "--host",
                     "[::1]", "--port", "8080", "--timeout", "2.5"})
                .exit_code,
            0);
  auto result = run({partition.promise("p"), "--show-config"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("host = \"::1\"\nport = \"8080\"\ntimeout = \"2.5\"\n"),
            std::string::npos)
      << result.output;
}

TEST_P(InstallModes, ReinstallingTheSameOptionsLeavesTheFileAlone) {
  Partition partition;
  const std::vector<std::string> args = {kSocket,  "--install", partition.promise("p"),
                                         "--mode", GetParam(),  "--host",
                                         "::1",    "--port",    "8080"};
  ASSERT_EQ(install(args).exit_code, 0);
  struct stat before {};
  ::stat(partition.promise("p").c_str(), &before);
  auto again = install(args);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.output.find("is up to date"), std::string::npos) << again.output;
  struct stat after {};
  ::stat(partition.promise("p").c_str(), &after);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);

  auto changed = args;
  changed.back() = "8081";
  EXPECT_EQ(install(changed).exit_code, 0);
  EXPECT_NE(run({partition.promise("p"), "--show-config"}).output.find("port = \"8081\""),
            std::string::npos);
}

// A run whose options fail still speaks the baked format (read before the options are parsed).
TEST_P(InstallModes, BadOptionsOfARunAreReportedInTheBakedFormat) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--mode", GetParam(), "--host",
                     "::1", "--port", "80", "--format", "json"})
                .exit_code,
            0);
  auto result = run({partition.promise("p"), "--port", "99999"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output.rfind("{\"state\":\"UNKNOWN\",\"exit_code\":3,\"message\":\"--port: ", 0),
            0u)
      << result.output;
}

INSTANTIATE_TEST_SUITE_P(Instantiation, InstallModes, ::testing::Values("script", "copy"));

TEST(Instantiation, ScriptModeIsATextFileNamingTheBinary) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--host", "::1", "--port", "80"})
                .exit_code,
            0);
  const std::string content = read_file(partition.promise("p"));
  EXPECT_EQ(content.rfind("#!" + fs::canonical(kSocket).string() + " --config\n", 0), 0u)
      << content;
  EXPECT_NE(content.find("\nhost = \"::1\"\nport = \"80\"\n"), std::string::npos) << content;
}

TEST(Instantiation, CopyModeNeedsNothingElse) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--mode", "copy", "--host",
                     "127.0.0.1", "--port", std::to_string(unused_port())})
                .exit_code,
            0);
  // Moved elsewhere, it still carries its options.
  TempDir elsewhere;
  fs::rename(partition.promise("p"), elsewhere / "moved");
  ProcessSpec spec;
  spec.argv = {elsewhere / "moved"};
  spec.env = std::vector<std::string>{};
  spec.cwd = "/";
  auto result = run_process(spec);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("connection refused"), std::string::npos) << result.output;
}

TEST(Instantiation, ValuesSurviveTheRoundTripByteForByte) {
  Partition partition;
  const std::string socket_path = partition.dir / "we \"ird\" #1, ok.sock";
  auto listener = Listener::unix_path(socket_path);
  ASSERT_EQ(
      install({kSocket, "--install", partition.promise("p"), "--pathname", socket_path}).exit_code,
      0);
  auto result = partition.run_like_slapgrid("p");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("#1, ok.sock is listening"), std::string::npos) << result.output;
}

TEST(Instantiation, BadOptionsWriteNothing) {
  Partition partition;
  for (const auto& args :
       {std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--host", "::1",
                                 "--port", "99999"},
        std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--host", "::1",
                                 "--port", "80", "--timeout", "20"},
        std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--mode", "zip",
                                 "--host", "::1", "--port", "80"},
        std::vector<std::string>{kSocket, "--install", partition.dir / "missing/dir/p", "--host",
                                 "::1", "--port", "80"},
        std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--pathname", ""},
        std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--abstract",
                                 std::string(108, 'a')},
        std::vector<std::string>{kPort, "--install", partition.promise("p"), "--hostname",
                                 std::string(64, 'h') + ".example", "--port", "80"}}) {
    auto result = install(args);
    EXPECT_EQ(result.exit_code, 3) << result.output;
    EXPECT_EQ(result.output.rfind("UNKNOWN: ", 0), 0u) << result.output;
    EXPECT_EQ(result.output.find('\n'), result.output.size() - 1) << result.output;
  }
  EXPECT_TRUE(fs::is_empty(partition.promise_dir));  // no promise, no temporary file
}

TEST(Instantiation, TimeoutOfTwentySecondsIsRefusedAtInstall) {
  Partition partition;
  auto result = install({kSocket, "--install", partition.promise("p"), "--host", "::1", "--port",
                         "80", "--timeout", "20"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.output.find("--timeout 20 is not below slapgrid's 20 s"), std::string::npos)
      << result.output;
}

TEST(Instantiation, ShebangTheKernelWouldCutIsRefused) {
  // The same binary under a path too long for a #! line (hard link, or copy across devices).
  TempDir dir;
  std::string deep = dir.path();
  while (deep.size() < 260) deep += "/deeper-directory-level";
  fs::create_directories(deep);
  const std::string long_binary = deep + "/check_socket_listening";
  std::error_code error;
  fs::create_hard_link(kSocket, long_binary, error);
  if (error) {
    fs::copy_file(kSocket, long_binary);
    fs::permissions(long_binary, fs::perms::owner_all);
  }
  Partition partition;
  auto result =
      install({long_binary, "--install", partition.promise("p"), "--host", "::1", "--port", "80"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("the kernel reads at most 256"), std::string::npos) << result.output;
  EXPECT_TRUE(fs::is_empty(partition.promise_dir));
  // Copy mode has no #! line and works from there.
  EXPECT_EQ(install({long_binary, "--install", partition.promise("p"), "--mode", "copy", "--host",
                     "::1", "--port", "80"})
                .exit_code,
            0);
}

// A NUL byte cut the reason short ("UNKNOWN: --host: '127.0.0.1 (see --help)"): the whole
// reason, the NUL shown escaped.
TEST(Instantiation, HandEditedNulByteIsShownEscapedInAWholeReason) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--port", "80", "--host", "::1"})
                .exit_code,
            0);
  std::string text = read_file(partition.promise("p"));
  const auto host = text.find("host = \"::1\"");
  ASSERT_NE(host, std::string::npos) << text;
  text.replace(host, 12, "host = \"127.0.0.1\\x00evil\"");
  std::ofstream(partition.promise("p"), std::ios::trunc) << text;
  auto result = partition.run_like_slapgrid("p");
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("127.0.0.1\\x00evil"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(" (see --help)\n"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find('\0'), std::string::npos);
}

TEST(Instantiation, HandEditedUnknownKeyIsRefused) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--host", "::1", "--port", "80"})
                .exit_code,
            0);
  std::ofstream(partition.promise("p"), std::ios::app) << "colour = \"blue\"\n";
  auto result = partition.run_like_slapgrid("p");
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("colour"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace promise::test
