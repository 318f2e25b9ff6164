// slapos-promise convert and compare on partitions written in the exact format of
// slapos.cookbook's promise.plugin recipe and legacy recipes (tests/convert/
// make-sample-partition): every catalogue promise, and broken files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "listeners.hpp"
#include "process.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kRunner = binary("slapos-promise");

// Every file and directory below root: its type, mode, size and mtime.
std::map<std::string, std::string> snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    struct stat info {};
    ::lstat(entry.path().c_str(), &info);
    out[entry.path().string()] = std::to_string(info.st_mode) + " " + std::to_string(info.st_size) +
                                 " " + std::to_string(info.st_mtim.tv_sec) + "." +
                                 std::to_string(info.st_mtim.tv_nsec);
  }
  return out;
}

class ConvertTest : public ::testing::Test {
 protected:
  void make_partition(std::vector<std::string> extra) {
    std::vector<std::string> argv{"/usr/bin/python3",
                                  CONVERT_SAMPLE_GENERATOR,
                                  partition,
                                  "--port",
                                  std::to_string(listener.port()),
                                  "--url",
                                  "http://127.0.0.1:" + std::to_string(unused_port()) + "/"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const ProcessResult made = run(argv);
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }

  // A directory with some of our binaries only: the others are "missing" whatever is built.
  std::string bin_dir_with(const std::vector<std::string>& names) {
    const std::string dir = tmp / "bin";
    fs::create_directories(dir);
    for (const auto& name : names) fs::create_symlink(binary(name), dir + "/" + name);
    return dir;
  }

  TempDir tmp;
  std::string partition = tmp / "slappart0";
  Listener listener = Listener::tcp("127.0.0.1");
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(ConvertTest, PrintsTheInstallCommandOfEveryPromiseAndWhyOthersCannot) {
  make_partition({"--broken"});
  const ProcessResult out = run({kRunner, "convert", partition});
  EXPECT_EQ(out.exit_code, 2) << out.output;  // some could not be converted
  const std::string bin = fs::path(kRunner).parent_path().string();
  const std::string promise_dir = partition + "/etc/promise/";
  for (const auto& [title, plugin] : std::map<std::string, std::string>{
           {"check-socket", "check_socket_listening"},
           {"port-listening-old", "check_port_listening"},
           {"monitor-httpd-listening-on-tcp", "check_url_available"},
           {"check-command", "check_command_execute"},
           {"error-file", "check_file_state"},
           {"check-free-disk-space", "check_free_disk_space"},
           {"buildout-slappart0-status", "check_partition_deployment_state"},
           {"monitor-bootstrap-status", "monitor_bootstrap_status"},
           {"frontend-configuration", "validate_frontend_configuration"},
           {"check-certificate", "check_certificate"},
           {"http-error-log", "check_error_on_http_log"},
           {"zope-longrequest", "check_error_on_zope_longrequest_log"},
           {"check-cpu-load", "check_server_cpu_load"},
           {"check-ram-usage", "check_ram_usage"},
           {"interface-up", "check_interface_up"},
           {"autorun-state", "check_service_state"},
           {"websocket", "check_websocket_available"},
           {"surykatka-http", "check_surykatka_json"},
           {"network-errors", "check_network_errors_packets"},
           {"network-transit", "check_network_transit"}}) {
    EXPECT_TRUE(contains(
        out.output, "# etc/plugin/" + title + ".py: plugin " + plugin + " -> " + plugin + "\n"))
        << title << "\n"
        << out.output;
    EXPECT_TRUE(
        contains(out.output, bin + "/" + plugin + " --install " + promise_dir + title + " "))
        << title;
  }
  const std::string port = std::to_string(listener.port());
  EXPECT_TRUE(contains(out.output, "check_socket_listening --install " + promise_dir +
                                       "check-socket --host=127.0.0.1 --port=" + port + "\n"));
  // pprint's wrapped string, joined again; the profile's dumps() values in their rendered form.
  EXPECT_TRUE(contains(out.output, "--command='test -f " + partition +
                                       "/var/error.txt && test -d " + partition +
                                       "/var/log && echo \"the long command of a profile, "
                                       "wrapped by pprint\"'\n"));
  EXPECT_TRUE(contains(out.output, "--content-to-receive='b'\\''RFB 003.008\\n'\\'''"));
  EXPECT_TRUE(contains(out.output, "--error-threshold=20 "));
  EXPECT_TRUE(contains(out.output, "--binary=True "));
  // The plugins' own rules, and options dropped with their reason.
  EXPECT_TRUE(contains(
      out.output, "--threshold-file=" + partition + "/etc/min-free-disk-size --frequency=60\n"));
  EXPECT_TRUE(contains(out.output,
                       "--cpu-load-threshold=2.2 --frequency=3 --result-count=10 "
                       "--failure-amount=10\n"));
  EXPECT_TRUE(contains(out.output, "#   'frequency' = 2: dropped: kept above 2 minutes only"));
  EXPECT_FALSE(contains(out.output, "#   'frequency' = '3'"));  // kept: nothing to say
  // The cookbook's legacy scripts, replaced in place.
  EXPECT_TRUE(contains(out.output,
                       "# etc/promise/frontend-url: cookbook check_url_available (dash "
                       "+ curl) -> check_url_available\n"));
  EXPECT_TRUE(contains(out.output, "check_url_available --install " + promise_dir +
                                       "frontend-url --url=http://127.0.0.1:"));
  EXPECT_TRUE(contains(out.output, "--timeout-file=" + partition + "/etc/promise_timeout\n"));
  EXPECT_TRUE(contains(out.output, "check_port_listening --install " + promise_dir +
                                       "postgres-listening --hostname=127.0.0.1 --port=" + port +
                                       "\n"));
  // What cannot be converted is listed, with the reason.
  for (const char* line :
       {"# etc/plugin/broken-code.py: plugin check_url_available: NOT CONVERTED: "
        "extra_config_dict, line 6, column 35: '__import__' is a name, not a literal (code is "
        "never run)\n",
        "# etc/plugin/broken-latin1.py: plugin: NOT CONVERTED: not UTF-8, so not Python source: "
        "'utf-8' codec can't decode byte 0xe9",
        "# etc/plugin/broken-truncated.py: plugin: NOT CONVERTED: no 'from "
        "slapos.promise.plugin.<name> import RunPromise' line: truncated",
        "# etc/plugin/broken-unknown.py: plugin check_something_new: NOT CONVERTED: plugin "
        "check_something_new has no native replacement\n",
        "# etc/plugin/custom-check.py: plugin: NOT CONVERTED: runs a file, '",
        "# etc/plugin/partition-space.py: plugin monitor_partition_space: NOT CONVERTED: ",
        "# etc/plugin/re6st-connectivity.py: plugin check_icmp_packet_lost: NOT CONVERTED: ",
        "# etc/promise/backup-check.sh: legacy: NOT CONVERTED: not a cookbook promise we "
        "replace (first line: #!/bin/sh)\n",
        "# 30 promises: 22 converted, 0 already native, 8 not converted\n"}) {
    EXPECT_TRUE(contains(out.output, line)) << line << "\n" << out.output;
  }
  EXPECT_FALSE(contains(out.output, "__init__"));
  EXPECT_FALSE(fs::exists(partition + "/pwned"));  // the code in the dict never ran
}

TEST_F(ConvertTest, WriteInstallsThemAndTheyRunAsSlapgridRunsThem) {
  make_partition({});
  const std::string bin = bin_dir_with({"check_socket_listening", "check_file_state",
                                        "check_port_listening", "check_url_available"});
  const std::string out_dir = tmp / "out/etc/promise";
  fs::create_directories(out_dir);
  ::chmod((tmp / "out").c_str(), 0700);
  ::chmod((tmp / "out/etc").c_str(), 0700);
  ::chmod(out_dir.c_str(), 0700);
  const ProcessResult out =
      run({kRunner, "convert", partition, "--bin-dir", bin, "--write", out_dir});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_TRUE(contains(out.output, "#   installed " + out_dir + "/check-socket\n")) << out.output;
  EXPECT_TRUE(contains(out.output, "#   installed " + out_dir + "/postgres-listening\n"));
  EXPECT_TRUE(contains(out.output, "#   installed " + out_dir + "/frontend-url\n"));
  EXPECT_TRUE(contains(out.output, "#   check_certificate is not installed in " + bin +
                                       "\n"
                                       "#   NOT INSTALLED: binary missing\n"));
  EXPECT_TRUE(fs::exists(out_dir + "/error-file"));
  EXPECT_FALSE(fs::exists(out_dir + "/check-certificate"));

  ProcessSpec spec;
  spec.argv = {out_dir + "/check-socket"};
  spec.cwd = partition;
  spec.env = clean_environment();
  const ProcessResult socket = run_process(spec);
  EXPECT_EQ(socket.exit_code, 0) << socket.output;
  EXPECT_TRUE(contains(socket.output, "is listening")) << socket.output;
  spec.argv = {out_dir + "/error-file"};
  const ProcessResult file = run_process(spec);
  EXPECT_EQ(file.exit_code, 0) << file.output;
}

TEST_F(ConvertTest, CompareShowsEachVerdictBesideOursAndChangesNothing) {
  // The plugin last saw the error file non-empty (now empty): a disagreement. The URL is
  // refused for both.
  make_partition({"--broken", "--fail", "error-file", "--fail", "monitor-httpd-listening-on-tcp",
                  "--fail", "frontend-url"});
  const std::string bin =
      bin_dir_with({"check_socket_listening", "check_file_state", "check_url_available",
                    "check_command_execute", "check_port_listening"});
  const std::string scratch_parent = tmp / "tmp";
  fs::create_directories(scratch_parent);
  const auto before = snapshot(partition);
  ProcessSpec spec;
  spec.argv = {kRunner, "compare", partition, "--bin-dir", bin, "-j", "2"};
  spec.env = std::vector<std::string>{"PATH=/usr/bin:/bin", "TMPDIR=" + scratch_parent};
  const ProcessResult out = run_process(spec);
  EXPECT_EQ(out.exit_code, 2) << out.output;  // a disagreement
  const std::string port = std::to_string(listener.port());
  for (const std::string& block : std::vector<std::string>{
           "check-socket  (plugin check_socket_listening -> check_socket_listening)\n"
           "  plugin  OK      2026-12-02T00:10:00+0000  socket connection OK ('127.0.0.1', " +
               port + ")\n  ours    OK      ",
           "error-file  (plugin check_file_state -> check_file_state)  DISAGREE\n"
           "  plugin  FAILED  2026-12-02T00:10:00+0000  ERROR OK '" +
               partition + "/var/error.txt' state 'empty'\n  ours    OK      ",
           "monitor-httpd-listening-on-tcp  (plugin check_url_available -> check_url_available)\n"
           "  plugin  FAILED  ",
           "frontend-url  (cookbook check_url_available (dash + curl) -> check_url_available)\n"
           "  plugin  FAILED  2026-12-02T00:10:00+0000  \n  ours    FAILED  ",
           "postgres-listening  (cookbook check_port_listening (Python) -> check_port_listening)\n"
           "  plugin  OK      2026-12-02T00:10:00+0000  \n  ours    OK      ",
           "check-certificate  (plugin check_certificate -> check_certificate)\n"
           "  plugin  OK      2026-12-02T00:10:00+0000  OK Certificate '",
           "  ours    -       binary missing: check_certificate is not installed in " + bin + "\n",
           "broken-code  (plugin check_url_available)\n  plugin  -       no result in "
           ".slapgrid/promise/result/broken-code.status.json\n  ours    -       not converted: "
           "extra_config_dict, line 6, column 35: '__import__' is a name",
           "30 promises: 6 agree, 1 disagree, 23 not compared\n"}) {
    EXPECT_TRUE(contains(out.output, block)) << block << "\n----\n" << out.output;
  }
  EXPECT_EQ(snapshot(partition), before);     // nothing in the partition changed
  EXPECT_TRUE(fs::is_empty(scratch_parent));  // the scratch directory is gone
}

TEST_F(ConvertTest, BadInputIsOneUnknownLine) {
  for (const char* command : {"convert", "compare"}) {
    const ProcessResult out = run({kRunner, command, tmp / "missing"});
    EXPECT_EQ(out.exit_code, 3) << out.output;
    EXPECT_EQ(out.output.rfind("UNKNOWN: ", 0), 0u) << out.output;
    EXPECT_EQ(out.output.find('\n'), out.output.size() - 1) << out.output;
  }
}

}  // namespace
}  // namespace promise::test
