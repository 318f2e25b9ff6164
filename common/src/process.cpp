// Children run the way slapgrid runs promises; process.hpp says what "the tree" covers.
#include "promise/process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>

namespace promise {

// ---- stop requests and orphans -------------------------------------------------------------

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);  // set from signal handlers
bool g_subreaper = false;

}  // namespace

void request_stop() noexcept {
  g_stop.store(true, std::memory_order_relaxed);
}

bool stop_requested() noexcept {
  return g_stop.load(std::memory_order_relaxed);
}

bool adopt_orphans() {
  g_subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) == 0;
  return g_subreaper;
}

namespace {

using Clock = std::chrono::steady_clock;

Clock::duration from_seconds(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// ---- the process table, for the tree kill -----------------------------------------------

struct ProcessEntry {
  pid_t parent = 0;
  pid_t group = 0;
  bool zombie = false;
};

// Every process we can see, from /proc/<pid>/stat: "pid (comm) state ppid pgrp ...".
std::map<pid_t, ProcessEntry> read_process_table() {
  std::map<pid_t, ProcessEntry> table;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return table;
  while (const dirent* entry = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    const std::string path = "/proc/" + std::string(entry->d_name) + "/stat";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buffer[512];
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (n <= 0) continue;
    buffer[n] = '\0';
    const char* after_name = std::strrchr(buffer, ')');  // the name may hold spaces and ')'
    char state = 0;
    int parent = 0, group = 0;
    if (after_name && std::sscanf(after_name + 1, " %c %d %d", &state, &parent, &group) == 3) {
      table[pid] = ProcessEntry{parent, group, state == 'Z'};
    }
  }
  ::closedir(proc);
  return table;
}

bool holds_file(pid_t pid, const std::string& link_text) {
  const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(fd_dir.c_str());
  if (dir == nullptr) return false;
  bool found = false;
  char target[64];
  while (const dirent* entry = ::readdir(dir)) {
    const std::string link = fd_dir + "/" + entry->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target);
    if (n > 0 && std::string_view(target, static_cast<std::size_t>(n)) == link_text) {
      found = true;
      break;
    }
  }
  ::closedir(dir);
  return found;
}

// ---- the child's side of fork --------------------------------------------------------------

enum StartStep : int { kChdir = 1, kExec = 2 };

[[noreturn]] void report_start_failure(int error_fd, StartStep step, int error) {
  const int message[2] = {step, error};
  [[maybe_unused]] const auto ignored = ::write(error_fd, message, sizeof message);
  ::_exit(127);
}

[[noreturn]] void become_child(const ChildSpec& spec, char* const* argv, char* const* envp,
                               int output_fd, int error_fd) {
  ::setpgid(0, 0);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  ::dup2(output_fd, STDOUT_FILENO);
  if (spec.merge_stderr) ::dup2(output_fd, STDERR_FILENO);
  // Like Python's close_fds: no descriptor of ours reaches the program (nor keeps a pipe open).
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  if (spec.before_exec) spec.before_exec();
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
    report_start_failure(error_fd, kChdir, errno);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Like Python's restore_signals: `yes | head` must die of SIGPIPE, not print an error.
  ::signal(SIGPIPE, SIG_DFL);
  ::signal(SIGXFSZ, SIG_DFL);
  if (envp != nullptr) {
    ::execve(argv[0], argv, envp);
  } else {
    ::execv(argv[0], argv);
  }
  report_start_failure(error_fd, kExec, errno);
}

// The same child as become_child, by posix_spawn: own process group, stdin /dev/null, output
// into the pipe, no other descriptor, default signal dispositions and an empty mask.
int spawn(const ChildSpec& spec, char* const* argv, char* const* envp, int output_fd, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
  if (spec.merge_stderr) posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGXFSZ);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const int error = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv, envp);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  return error;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));  // exec only reads
  out.push_back(nullptr);
  return out;
}

// ---- the parent's side: many children, one poll loop ---------------------------------------

struct Running {
  std::size_t index = 0;
  pid_t pid = -1;
  int output_fd = -1;
  int exit_fd = -1;       // pidfd, readable once the child exits; -1: poll with a short tick
  std::string pipe_link;  // "pipe:[inode]" as /proc/<pid>/fd shows the output pipe
  Clock::time_point started, terminated_at, killed_at;
  bool early_term_sent = false, terminated = false, killed = false, exited = false;
  Utf8Validator utf8;
  ChildResult result;
};

// ---- descriptors: how many children fit --------------------------------------------------

// A running child holds two of our descriptors: the read end of its output pipe and its pidfd.
constexpr std::size_t kDescriptorsPerChild = 2;
// Kept free: starting a child briefly takes two more (the pipe's write end here, /dev/null in
// the spawned child, which inherits our table), the tree kill reads /proc, the caller writes.
constexpr std::size_t kDescriptorReserve = 8;

// Descriptors open below the limit (only those take numbers a new descriptor could get).
std::size_t open_descriptors_below(rlim_t limit) {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    const int own = ::dirfd(dir);
    while (const dirent* entry = ::readdir(dir)) {
      const long fd = std::atol(entry->d_name);
      if (entry->d_name[0] != '.' && fd != own && static_cast<rlim_t>(fd) < limit) ++count;
    }
    ::closedir(dir);
    return count;
  }
  for (int fd = 0; static_cast<rlim_t>(fd) < std::min<rlim_t>(limit, 65536); ++fd) {
    count += ::fcntl(fd, F_GETFD) != -1;  // no /proc: ask each descriptor
  }
  return count;
}

// The children that fit in RLIMIT_NOFILE next to what is open now (at least one).
std::size_t descriptor_parallelism() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return SIZE_MAX;
  }
  const std::size_t used = open_descriptors_below(limit.rlim_cur) + kDescriptorReserve;
  const auto available = static_cast<std::size_t>(limit.rlim_cur);
  return std::max<std::size_t>(available > used ? (available - used) / kDescriptorsPerChild : 0, 1);
}

// Out of descriptors or processes: a child of ours ending frees what the next one needs.
bool is_resource_shortage(int error) {
  return error == EMFILE || error == ENFILE || error == EAGAIN;
}

class Pool {
 public:
  // Never more at once than our descriptors allow: a promise must not fail for our own limit.
  Pool(const std::vector<ChildSpec>& specs, std::size_t parallel)
      : specs_(specs),
        parallel_(std::clamp<std::size_t>(parallel, 1, descriptor_parallelism())),
        results_(specs.size()) {}

  std::vector<ChildResult> run() {
    while (next_ < specs_.size() || !running_.empty()) {
      const bool stopping = stop_requested();
      while (!stopping && running_.size() < parallel_ && next_ < specs_.size()) {
        if (!start(next_)) {
          // Short of descriptors all the same (taken elsewhere): fewer at once from now on,
          // and this one starts when a running child has ended.
          parallel_ = running_.size();
          break;
        }
        ++next_;
      }
      if (stopping) skip_unstarted();
      const auto now = Clock::now();
      for (auto& child : running_) advance_timers(*child, now, stopping);
      if (running_.empty()) continue;  // every start failed: nothing to wait for
      wait_for_events();
      reap();
      finish_ended();
    }
    wait_for_killed();
    return std::move(results_);
  }

 private:
  const ChildSpec& spec(const Running& child) const { return specs_[child.index]; }

  // Starts specs_[index], or records why it could not start. False: not now, for want of
  // descriptors or processes while children of ours run (one ending frees what it needs).
  bool start(std::size_t index) {
    const ChildSpec& s = specs_[index];
    auto child = std::make_unique<Running>();
    child->index = index;
    const auto not_now = [&](int error) {
      return is_resource_shortage(error) && !running_.empty();
    };
    if (s.argv.empty()) return fail_to_start(index, "exec", EINVAL);
    int output[2];
    if (::pipe2(output, O_CLOEXEC) != 0) {
      const int error = errno;
      return not_now(error) ? false : fail_to_start(index, "pipe", error);
    }
    const auto argv = c_strings(s.argv);
    const auto env = s.env ? c_strings(*s.env) : std::vector<char*>{};
    child->started = Clock::now();
    pid_t pid = -1;
    if (!s.before_exec) {
      // posix_spawn (clone with a shared address space) costs a fraction of fork() in a big
      // process: about 2 ms a promise on these machines.
      const int error = spawn(s, argv.data(), s.env ? env.data() : environ, output[1], pid);
      ::close(output[1]);
      if (error != 0) {
        ::close(output[0]);
        if (not_now(error)) return false;
        const bool bad_cwd = !s.cwd.empty() && ::access(s.cwd.c_str(), X_OK) != 0;
        return fail_to_start(index, bad_cwd ? "chdir" : "exec", error);
      }
      child->pid = pid;
      child->result.started = true;
    } else {
      int errors[2];
      if (::pipe2(errors, O_CLOEXEC) != 0) {
        const int error = errno;
        ::close(output[0]);
        ::close(output[1]);
        return not_now(error) ? false : fail_to_start(index, "pipe", error);
      }
      pid = ::fork();
      if (pid == 0) {
        ::close(output[0]);
        ::close(errors[0]);
        become_child(s, argv.data(), s.env ? env.data() : nullptr, output[1], errors[1]);
      }
      const int fork_error = errno;
      ::close(output[1]);
      ::close(errors[1]);
      if (pid < 0) {
        ::close(output[0]);
        ::close(errors[0]);
        return not_now(fork_error) ? false : fail_to_start(index, "fork", fork_error);
      }
      ::setpgid(pid, pid);  // also here: a signal to the group must not race the child's call
      child->pid = pid;
      child->result.started = true;
      read_start_failure(errors[0], child->result);
      ::close(errors[0]);
    }
    child->output_fd = output[0];
    ::fcntl(output[0], F_SETFL, ::fcntl(output[0], F_GETFL) | O_NONBLOCK);
    struct stat info {};
    if (::fstat(output[0], &info) == 0) {
      child->pipe_link = "pipe:[" + std::to_string(info.st_ino) + "]";
    }
    // glibc 2.36's <sys/pidfd.h> lacks extern "C": call the system call itself.
    child->exit_fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    running_.push_back(std::move(child));
    if (s.on_start) s.on_start(pid);
    return true;
  }

  // The child writes {step, errno} if chdir or exec fails; the pipe closes empty on exec.
  static void read_start_failure(int fd, ChildResult& result) {
    int message[2] = {0, 0};
    ssize_t n;
    do {
      n = ::read(fd, message, sizeof message);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof message)) {
      result.start_step = message[0] == kChdir ? "chdir" : "exec";
      result.start_errno = message[1];
    }
  }

  // Dated when it was tried, as slapgrid dates the OSError of a promise that cannot start.
  bool fail_to_start(std::size_t index, const char* step, int error) {
    results_[index].start_step = step;
    results_[index].start_errno = error;
    results_[index].ended_at = std::chrono::system_clock::now();
    return true;
  }

  void skip_unstarted() {
    for (; next_ < specs_.size(); ++next_) {
      results_[next_].stopped = true;
      results_[next_].ended_at = std::chrono::system_clock::now();
    }
  }

  // SIGTERM to the group at the limit (or on a stop request), the tree kill a grace later, and
  // a grace after that we stop waiting for a pipe that something out of reach still holds.
  void advance_timers(Running& child, Clock::time_point now, bool stopping) {
    const ChildSpec& s = spec(child);
    if (!child.early_term_sent && s.sigterm_after >= 0 &&
        now >= child.started + from_seconds(s.sigterm_after)) {
      child.early_term_sent = true;
      ::kill(-child.pid, SIGTERM);
    }
    if (!child.terminated && (stopping || now >= child.started + from_seconds(s.time_limit))) {
      child.terminated = true;
      child.terminated_at = now;
      if (stopping) {
        child.result.stopped = true;
      } else {
        child.result.timed_out = true;
      }
      ::kill(-child.pid, SIGTERM);
    }
    if (child.terminated && !child.killed &&
        now >= child.terminated_at + from_seconds(s.kill_grace)) {
      child.killed = true;
      child.killed_at = now;
      kill_tree(child);
    }
    if (child.killed && now >= child.killed_at + from_seconds(s.kill_grace)) {
      close_output(child);
      child.exited = true;  // unkillable (uninterruptible sleep): give up on it
    }
  }

  Clock::time_point next_timer(const Running& child) const {
    const ChildSpec& s = spec(child);
    if (child.killed) return child.killed_at + from_seconds(s.kill_grace);
    if (child.terminated) return child.terminated_at + from_seconds(s.kill_grace);
    auto at = child.started + from_seconds(s.time_limit);
    if (!child.early_term_sent && s.sigterm_after >= 0) {
      at = std::min(at, child.started + from_seconds(s.sigterm_after));
    }
    return at;
  }

  void wait_for_events() {
    std::vector<pollfd> fds;
    std::vector<Running*> owners;
    auto wake_at = Clock::now() + std::chrono::seconds(1);
    bool tick = false;  // without a pidfd, waitpid() is how we learn that a child exited
    for (auto& child : running_) {
      if (child->output_fd >= 0) {
        fds.push_back({child->output_fd, POLLIN, 0});
        owners.push_back(child.get());
      }
      if (!child->exited && child->exit_fd >= 0) {
        fds.push_back({child->exit_fd, POLLIN, 0});
        owners.push_back(child.get());
      }
      tick = tick || (!child->exited && child->exit_fd < 0);
      wake_at = std::min(wake_at, next_timer(*child));
    }
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake_at - Clock::now()).count();
    wait = std::clamp<decltype(wait)>(wait, 0, tick ? 10 : 1000);
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait)) <= 0) return;  // EINTR: a stop
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0 && fds[i].fd == owners[i]->output_fd) drain(*owners[i]);
    }
  }

  // Reads what the pipe holds, a bounded amount per turn so that one chatty child cannot
  // starve the others' timers.
  void drain(Running& child) {
    char buffer[64 * 1024];
    for (int turn = 0; turn < 16 && child.output_fd >= 0; ++turn) {
      const ssize_t n = ::read(child.output_fd, buffer, sizeof buffer);
      if (n > 0) {
        keep_output(child, std::string_view(buffer, static_cast<std::size_t>(n)));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && errno == EAGAIN) {
        return;
      } else {
        close_output(child);  // end of file, or an error that will not go away
      }
    }
  }

  void keep_output(Running& child, std::string_view chunk) {
    const std::size_t limit = spec(child).output_limit;
    child.utf8.feed(chunk);
    child.result.output_bytes += chunk.size();
    std::string& kept = child.result.output;
    kept.append(chunk);
    // Cut the head now and then (not on every read): amortised, and memory stays ~2x the limit.
    if (kept.size() > limit && kept.size() - limit > std::max<std::size_t>(limit, 1 << 16)) {
      kept.erase(0, kept.size() - limit);
    }
  }

  static void close_output(Running& child) {
    if (child.output_fd < 0) return;
    ::close(child.output_fd);
    child.output_fd = -1;
  }

  static void record_exit(Running& child, int status, const rusage& usage) {
    child.exited = true;
    child.result.max_rss_kib = usage.ru_maxrss;
    if (WIFEXITED(status)) child.result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) child.result.signal = WTERMSIG(status);
  }

  void reap() {
    int status = 0;
    rusage usage{};
    for (auto& child : running_) {
      if (!child->exited && ::wait4(child->pid, &status, WNOHANG, &usage) == child->pid) {
        record_exit(*child, status, usage);
      }
    }
    if (!g_subreaper) return;
    // Adopted orphans (and any child: adopt_orphans() says all of them are ours).
    pid_t pid;
    while ((pid = ::wait4(-1, &status, WNOHANG, &usage)) > 0) {
      for (auto& child : running_) {
        if (child->pid == pid && !child->exited) record_exit(*child, status, usage);
      }
    }
  }

  void finish_ended() {
    for (auto it = running_.begin(); it != running_.end();) {
      Running& child = **it;
      if (child.exited && child.output_fd >= 0 && !spec(child).wait_for_output_eof) {
        drain(child);  // what the child wrote before it exited, not what a daemon writes later
        close_output(child);
      }
      if (!child.exited || child.output_fd >= 0) {
        ++it;
        continue;
      }
      if (spec(child).kill_leftovers) ::kill(-child.pid, SIGKILL);
      if (child.exit_fd >= 0) ::close(child.exit_fd);
      ChildResult& result = child.result;
      result.seconds = std::chrono::duration<double>(Clock::now() - child.started).count();
      result.ended_at = std::chrono::system_clock::now();
      result.utf8_error = child.utf8.finish();
      const std::size_t limit = spec(child).output_limit;
      if (result.output.size() > limit) result.output.erase(0, result.output.size() - limit);
      results_[child.index] = std::move(result);
      it = running_.erase(it);
    }
  }

  // SIGKILL to the group, then to what left it: descendants still linked by parent pids, and
  // adopted orphans still holding the output pipe, with theirs. Repeated while the scan finds
  // some, since a process may fork between a scan and its kill.
  void kill_tree(Running& child) {
    ::kill(-child.pid, SIGKILL);
    for (int round = 0; round < 5; ++round) {
      const auto table = read_process_table();
      std::set<pid_t> targets;
      std::multimap<pid_t, pid_t> children_of;
      for (const auto& [pid, entry] : table) {
        children_of.emplace(entry.parent, pid);
        if (entry.group == child.pid) targets.insert(pid);
      }
      // Once reaped, its pid may belong to anyone: start from it only while it is ours.
      if (!child.exited && table.count(child.pid) != 0) targets.insert(child.pid);
      if (g_subreaper && !child.pipe_link.empty()) {
        for (auto [it, end] = children_of.equal_range(::getpid()); it != end; ++it) {
          if (!is_running_child(it->second) && holds_file(it->second, child.pipe_link)) {
            targets.insert(it->second);
          }
        }
      }
      std::vector<pid_t> todo(targets.begin(), targets.end());
      while (!todo.empty()) {
        const pid_t pid = todo.back();
        todo.pop_back();
        for (auto [it, end] = children_of.equal_range(pid); it != end; ++it) {
          if (targets.insert(it->second).second) todo.push_back(it->second);
        }
      }
      bool alive = false;
      for (pid_t pid : targets) {
        killed_.insert(pid);  // zombies too: we wait until they are reaped
        if (table.at(pid).zombie) continue;
        alive = true;
        ::kill(pid, SIGKILL);
      }
      if (!alive) return;
    }
  }

  bool is_running_child(pid_t pid) const {
    return std::any_of(running_.begin(), running_.end(),
                       [&](const auto& child) { return child->pid == pid && !child->exited; });
  }

  // As our subreaper children, the processes killed by the tree kill end as our zombies: reap
  // them before returning, so that nothing of a killed promise is left, not even its zombie.
  void wait_for_killed() {
    if (!g_subreaper) return;
    const auto give_up = Clock::now() + std::chrono::seconds(2);
    while (Clock::now() < give_up) {
      int status = 0;
      while (::waitpid(-1, &status, WNOHANG) > 0) {
      }
      for (auto it = killed_.begin(); it != killed_.end();) {
        it = ::kill(*it, 0) != 0 && errno == ESRCH ? killed_.erase(it) : std::next(it);
      }
      if (killed_.empty()) return;
      ::usleep(2000);
    }
  }

  const std::vector<ChildSpec>& specs_;
  std::size_t parallel_;
  std::vector<ChildResult> results_;
  std::vector<std::unique_ptr<Running>> running_;
  std::size_t next_ = 0;
  std::set<pid_t> killed_;
};

}  // namespace

std::vector<ChildResult> run_children(const std::vector<ChildSpec>& specs, std::size_t parallel) {
  return Pool(specs, parallel).run();
}

ChildResult run_child(const ChildSpec& spec) {
  return std::move(run_children({spec}, 1).front());
}

}  // namespace promise
