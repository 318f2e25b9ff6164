#pragma once
// A legacy promise directory (<partition>/etc/promise) as slapgrid sees it, run the way slapgrid
// runs it (SLAPOS.md 2.4-2.6), but in parallel, with slapgrid's verdicts and messages.

#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace promise::runner {

struct PromiseFile {
  std::string name;         // file name in the directory: "apache.sh"
  std::string title;        // os.path.splitext(name)[0]: "apache", the name of its result file
  std::string path;         // absolute path, as slapgrid's status.json shows it
  std::string partition;    // the directory's grandparent: the promise's working directory
  std::string skip_reason;  // not empty: slapgrid logs "Bad promise file" and skips it
};

// The entries of dir, sorted by name. Throws std::runtime_error when dir cannot be read.
std::vector<PromiseFile> scan_promise_dir(const std::string& dir);

// os.path.splitext(name)[0]: "a.b.sh" -> "a.b", ".profile" -> ".profile".
std::string title_of(std::string_view name);

enum class Verdict { ok, failed, timed_out, skipped };

struct PromiseResult {
  PromiseFile file;
  Verdict verdict = Verdict::skipped;
  std::string message;  // what slapgrid stores: stripped output cut to '...' + last 5000 chars
  double seconds = 0;
  std::time_t date = 0;  // when it ended
  int exit_code = -1;    // -1: killed by a signal or never ran
  int signal = 0;
};

struct RunSettings {
  double timeout = 20;  // slapgrid's promise_timeout
  double kill_grace = 1;
  std::size_t parallel = 1;
};

// Runs every file that is not skipped; results in the order of files. When a stop is requested
// (promise::request_stop) the results are incomplete: check promise::stop_requested().
std::vector<PromiseResult> run_promises(const std::vector<PromiseFile>& files,
                                        const RunSettings& settings);

// 20 -> "20", 2.5 -> "2.5": a number of seconds as Python's %s prints slapgrid's timeout.
std::string seconds_text(double seconds);

}  // namespace promise::runner
