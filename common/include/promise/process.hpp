#pragma once
// Running programs the way slapgrid runs a promise: each child in its own process group, stdin
// from /dev/null, stdout and stderr merged into one pipe, a chosen cwd and environment, and a
// time limit after which its group gets SIGTERM and, a grace later, SIGKILL. Many children run
// at once from one poll() loop; a child printing gigabytes costs a bounded amount of memory.
//
// Killing "the whole process tree" (Linux): at the SIGKILL step, besides the process group, every
// descendant of the child still linked to it by parent pids is killed (a setsid() grandchild whose
// parent lives), and, when this process is a child subreaper (adopt_orphans()), every adopted
// orphan that still holds the child's output pipe, with its descendants (a double-forked daemon
// that kept stdout). Not covered: a descendant that left the group, lost its parent and closed the
// pipe (a proper daemon; slapgrid leaves it running too), or one running under another uid.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

struct ChildSpec {
  std::vector<std::string> argv;                // argv[0] is the file executed (no PATH search)
  std::optional<std::vector<std::string>> env;  // nullopt: inherit ours
  std::string cwd;                              // empty: inherit ours
  double time_limit = 20;                       // seconds from the start; then SIGTERM
  double kill_grace = 1;                        // seconds between SIGTERM and SIGKILL
  double sigterm_after = -1;                    // >= 0: an early SIGTERM to the group (tests)
  bool merge_stderr = true;                     // false: stderr is inherited
  // slapgrid reads the output until every holder of the pipe has closed it, so a promise that
  // leaves a background process holding its stdout runs into the time limit. false: stop
  // reading once the child has exited (a test that starts a daemon).
  bool wait_for_output_eof = true;
  bool kill_leftovers = false;            // SIGKILL what is left of the group once it ends
  std::size_t output_limit = 64 * 1024;   // keep the last output_limit bytes of the output
  std::function<void()> before_exec;      // runs in the child between fork and exec (tests)
  std::function<void(int pid)> on_start;  // runs here once the child runs (pid = its group)
};

// Where a byte stream stops being UTF-8 for Python's strict decoder, and Python's words for it.
struct Utf8Error {
  std::uint64_t start = 0;  // byte offset of the first undecodable byte
  std::uint64_t end = 0;    // one past the bytes Python names ("bytes in position 3-4")
  unsigned char byte = 0;   // the byte at start
  const char* reason = "";  // "invalid start byte", "invalid continuation byte", ...
};

// Validates UTF-8 as it streams by, without keeping the text.
class Utf8Validator {
 public:
  void feed(std::string_view bytes);
  // The first error, once the stream has ended (a cut sequence at the end is an error).
  std::optional<Utf8Error> finish() const;

 private:
  std::uint64_t offset_ = 0;          // bytes fed so far
  std::uint64_t sequence_start_ = 0;  // offset of the lead byte of the sequence under way
  unsigned char lead_ = 0;
  int needed_ = 0;                          // continuation bytes still expected
  int seen_ = 0;                            // continuation bytes seen in this sequence
  unsigned char low_ = 0x80, high_ = 0xBF;  // range of the next continuation byte
  std::optional<Utf8Error> error_;
};

// "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte" (Python's str(e)).
std::string python_message(const Utf8Error& error);

struct ChildResult {
  bool started = false;            // false: a stop request came first, or fork failed
  int exit_code = -1;              // -1: killed by a signal, or never ran
  int signal = 0;                  // the signal that ended it, if any
  long max_rss_kib = 0;            // peak resident memory of the child itself (not its children)
  std::string output;              // the last output_limit bytes of stdout (+ stderr)
  std::uint64_t output_bytes = 0;  // all bytes read, kept or not
  std::optional<Utf8Error> utf8_error;  // over the whole output, not only what was kept
  double seconds = 0;                   // from fork until the child ended and its output closed
  std::chrono::system_clock::time_point ended_at{};  // wall-clock time of that end, or of the
                                                     // failed start (never the epoch)
  bool timed_out = false;       // the time limit was reached (SIGTERM, then SIGKILL if needed)
  bool stopped = false;         // ended by request_stop()
  const char* start_step = "";  // "fork", "chdir" or "exec" when the program could not start
  int start_errno = 0;          // errno of that step (0: the program started)
};

// Runs every spec, at most `parallel` at a time, in order of index; results in the same order.
// Fewer at a time when RLIMIT_NOFILE cannot hold `parallel` children (two descriptors each, and
// a reserve for the tree kill), and a start that finds no descriptor or process left (EMFILE,
// ENFILE, EAGAIN) waits for a running child to end: no child fails for our own parallelism.
std::vector<ChildResult> run_children(const std::vector<ChildSpec>& specs, std::size_t parallel);
ChildResult run_child(const ChildSpec& spec);

// Makes this process the child subreaper of everything it starts (Linux), so that orphaned
// descendants come back to us: the timeout kill can find them, and run_children reaps them all.
// Call it only in a program whose children are all started by run_children (slapos-promise):
// run_children then reaps any child. False when the kernel refuses.
bool adopt_orphans();

// Async-signal-safe, for SIGINT/SIGTERM handlers: running children get SIGTERM now and SIGKILL
// after their grace, no new child starts, and run_children returns. It stays requested: meant
// for a program that then exits.
void request_stop() noexcept;
bool stop_requested() noexcept;

}  // namespace promise
