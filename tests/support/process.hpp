#pragma once
// Runs a program the way slapgrid runs a promise: its own process group, stdout and stderr
// merged into one pipe, stdin from /dev/null, a chosen cwd and environment, a time limit
// after which the whole group gets SIGTERM and, a grace later, SIGKILL. Built on
// promise::process (the engine of slapos-promise), reading until the child exits rather than
// until every holder of the pipe closes it, and killing what is left of the group at the end.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace promise::test {

struct ProcessSpec {
  std::vector<std::string> argv;
  std::optional<std::vector<std::string>> env;  // nullopt: inherit ours
  std::string cwd;                              // empty: inherit ours
  double time_limit = 30;                       // seconds
  double kill_grace = 1;                        // seconds between SIGTERM and SIGKILL
  bool merge_stderr = true;                     // false: stderr is inherited
  double sigterm_after = -1;                    // >= 0: send SIGTERM to the group then
  std::function<void()> before_exec;            // runs in the child between fork and exec
};

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string output;
  double seconds = 0;
  bool timed_out = false;
  long max_rss_kib = 0;  // peak resident memory of the process (not its children)
};

ProcessResult run_process(const ProcessSpec& spec);

// Child-side setup for before_exec: private user and mount namespaces in which hosts_file
// and resolv_file (when not empty) are bind-mounted over /etc/hosts and /etc/resolv.conf.
// With dns_blackhole, also a private network namespace whose 127.0.0.1:53 swallows queries.
// Exits the child with 125 when the kernel refuses; skip_if_no_namespaces() tells beforehand.
void enter_private_namespaces(const std::string& hosts_file, const std::string& resolv_file,
                              bool dns_blackhole);
bool namespaces_available();

// Child-side setup for before_exec: private user and mount namespaces (as above) in which a
// fresh tmpfs is mounted at mount_point (an existing directory) with the given mount options
// ("size=16m,nr_inodes=100"). Exits the child with 125 when the kernel refuses.
void enter_private_tmpfs(const std::string& mount_point, const std::string& options);

// Child-side, after enter_private_namespaces(..., true): adds fe80::1/64 to lo and leaves a
// socket listening on [fe80::1%lo]:port, inherited across exec (the kernel completes the
// handshakes; nobody accepts). Exits the child with 125 when the kernel refuses.
void listen_on_link_local_loopback(int port);

// Child-side, in a fresh network namespace: sets lo up. Exits the child with 125 when the
// kernel refuses.
void bring_loopback_up();

// Runs argv where the only DNS server swallows every query (timeout:5 attempts:2, so the
// resolver alone would wait 10 s) and /etc/hosts knows only localhost.
ProcessResult run_with_stalled_dns(const std::vector<std::string>& argv);

// The same, with stdout and stderr on a pipe that is already full until drain_after seconds
// (see run_with_full_output_pipe): the status line is written while nobody reads.
ProcessResult run_with_stalled_dns_into_full_pipe(const std::vector<std::string>& argv,
                                                  double drain_after);

// Fills a pipe through its write end until one more byte would block (the reader is slow or
// gone); returns how many bytes it now holds. The descriptor is left blocking.
std::size_t fill_pipe(int write_fd);

// Runs spec.argv (inherited environment, spec.before_exec honoured) with stdout and stderr on a
// pipe that is already full, reads nothing for drain_after seconds (SIGTERM to the process at
// spec.sigterm_after if >= 0), then reads until it exits. output holds what the program wrote,
// the filler removed: "a status line written while nobody reads".
ProcessResult run_with_full_output_pipe(const ProcessSpec& spec, double drain_after);

// Convenience: argv, inherited environment, merged output.
ProcessResult run(const std::vector<std::string>& argv, double time_limit = 30);

// The environment slapgrid's runpromises mode gives a promise (SLAPOS.md 2.3): nearly empty.
std::vector<std::string> clean_environment();

// The whole content of a file ("" if it cannot be read).
std::string read_file(const std::string& path);

// Replaces a file's content with these bytes (creating it), or appends them.
void overwrite_file(const std::string& path, const std::string& content);
void append_to_file(const std::string& path, const std::string& content);

// program args...: the convenience run() with the program prepended.
ProcessResult run_program(const std::string& program, std::vector<std::string> args);

// True when the text is valid UTF-8.
bool is_utf8(const std::string& text);

// Path of a binary built by this project ("check_socket_listening").
std::string binary(const std::string& name);

// A fresh temporary directory, removed with its contents by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace promise::test
