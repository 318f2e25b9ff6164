// The fatal signals and the one status line.
//
// A run ends with exactly one status line: the check's (the main path), or the deadline
// backstop's (SIGALRM), or the one for SIGTERM (slapgrid), SIGINT or SIGHUP. Whoever claims
// the line first writes it; once the main path has claimed it, a signal writes nothing (and the
// backstop is disarmed). The claim alone keeps the line single whatever thread a signal lands
// on; where it lands is settled too:
//
// - While the process has one thread, a handler takes the signals on it. Many runs stay so
//   (a TCP check of an IP literal starts no thread), and a thread costs them ~0.06 ms of wall
//   time, ~6% (measured: a static binary starting one sigwait thread against one that does
//   not, 3000 interleaved runs with tests/bench/measure.c).
// - Before the first helper thread (a resolver thread, libcurl's transfer with its threaded
//   resolver), prepare_for_threads() blocks the signals in the main thread, so every thread
//   started later inherits the block, ours and libraries' alike, and starts one thread that
//   takes them with sigwait. Blocking them only around the call that spawns libcurl's thread
//   would not do: that call is curl_easy_perform, and the backstop and SIGTERM must work during
//   the transfer.
#include "signals.hpp"

#include "promise/deadline.hpp"
#include "promise/outcome.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace promise {
namespace detail {
namespace {

constexpr int kFatalSignals[] = {SIGALRM, SIGTERM, SIGINT, SIGHUP};

LineClaim g_status_line;
bool g_handling = false;       // install_signal_handling ran (we are in run_promise)
bool g_signal_thread = false;  // prepare_for_threads started the signal thread

// The CRITICAL line for each signal, in the chosen format, prepared before it is needed.
struct SignalTexts {
  char deadline[256] = "CRITICAL: deadline exceeded while ";
  char terminated[256] = "CRITICAL: terminated by SIGTERM while ";
  char interrupted[256] = "CRITICAL: interrupted while ";
  char suffix[8] = "\n";
};
SignalTexts g_texts;
std::mutex g_texts_mutex;  // between the main thread preparing and the signal thread reading

sigset_t fatal_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : kFatalSignals) sigaddset(&set, signal_number);
  return set;
}

// write(2) until done: only async-signal-safe calls, for the handler.
void write_text(const char* text) {
  std::size_t length = std::strlen(text);
  while (length > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, text, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    length -= static_cast<std::size_t>(n);
  }
}

void write_signal_line(int signal_number) {
  const char* text = signal_number == SIGALRM   ? g_texts.deadline
                     : signal_number == SIGTERM ? g_texts.terminated
                                                : g_texts.interrupted;
  write_text(text);
  write_text(current_phase());
  write_text(g_texts.suffix);
}

// What a run leaves behind must go with it: an --install's named temporary, the process group
// of a command the check runs.
void leave_nothing_behind() {
  if (const int group = child_process_group(); group > 0) ::kill(-group, SIGKILL);
}

extern "C" void on_fatal_signal(int signal_number) {
  if (!g_status_line.claim()) return;  // the main path is writing its line: it ends the run
  discard_install_temporary();         // the install holds the signals while it names one
  leave_nothing_behind();
  write_signal_line(signal_number);
  ::_exit(exit_code(State::critical));
}

void* take_signals(void*) {
  const sigset_t set = fatal_signals();
  for (;;) {
    int signal_number = 0;
    if (::sigwait(&set, &signal_number) != 0) continue;
    if (!g_status_line.claim()) continue;  // the main path is writing its line: it ends the run
    discard_install_temporary_once_named();
    leave_nothing_behind();
    std::lock_guard lock(g_texts_mutex);
    write_signal_line(signal_number);
    ::_exit(exit_code(State::critical));
  }
}

void set_timer(double seconds) {
  itimerval timer{};
  if (seconds > 0) {
    const double whole = std::floor(seconds);
    timer.it_value.tv_sec = static_cast<time_t>(whole);
    timer.it_value.tv_usec = static_cast<suseconds_t>((seconds - whole) * 1e6);
    if (timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0) timer.it_value.tv_usec = 1;
  }
  ::setitimer(ITIMER_REAL, &timer, nullptr);
}

}  // namespace

void install_signal_handling() {
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigfillset(&action.sa_mask);  // one handler at a time
  for (int signal_number : kFatalSignals) ::sigaction(signal_number, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a closed peer is an error to report, not a reason to die
  g_handling = true;
}

void prepare_signal_texts(Format format, double timeout_seconds) {
  const char* prefix = "CRITICAL: ";
  const char* suffix = "\n";
  if (format == Format::nagios) prefix = "CRITICAL - ";
  if (format == Format::json) {
    prefix = "{\"state\":\"CRITICAL\",\"exit_code\":2,\"message\":\"";
    suffix = "\"}\n";
  }
  // No handler may read the texts half written: block the signals here meanwhile.
  const sigset_t set = fatal_signals();
  sigset_t before;
  ::pthread_sigmask(SIG_BLOCK, &set, &before);
  {
    std::lock_guard lock(g_texts_mutex);
    std::snprintf(g_texts.deadline, sizeof g_texts.deadline, "%sdeadline of %g s exceeded while ",
                  prefix, timeout_seconds);
    std::snprintf(g_texts.terminated, sizeof g_texts.terminated, "%sterminated by SIGTERM while ",
                  prefix);
    std::snprintf(g_texts.interrupted, sizeof g_texts.interrupted, "%sinterrupted while ", prefix);
    std::snprintf(g_texts.suffix, sizeof g_texts.suffix, "%s", suffix);
  }
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

void arm_backstop(double seconds) {
  set_timer(seconds);
}

void disarm_backstop() {
  set_timer(0);
}

void claim_status_line_or_wait() {
  if (g_status_line.claim()) {
    disarm_backstop();
    return;
  }
  for (;;) ::pause();  // a signal's line is being written, then the process ends
}

}  // namespace detail

void prepare_for_threads() {
  using namespace detail;
  if (!g_handling || g_signal_thread) return;
  const sigset_t set = fatal_signals();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attributes, 256 * 1024);
  pthread_t thread;
  if (::pthread_create(&thread, &attributes, take_signals, nullptr) == 0) {
    g_signal_thread = true;
  } else {
    // No thread to spare: the handlers stay, and the claim keeps the line single.
    ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  }
  pthread_attr_destroy(&attributes);
}

}  // namespace promise
