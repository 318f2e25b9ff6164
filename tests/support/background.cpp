#include "background.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "process.hpp"

namespace promise::test {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::string& log_file)
    : log_file_(log_file) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0) throw std::runtime_error("cannot create " + log_file);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);
    ::dup2(log, 1);
    ::dup2(log, 2);
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);
  ::close(log);
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ <= 0) return;
  // SIGTERM first: supervisord then stops its programs, which live in process groups of their
  // own; SIGKILL after a grace.
  ::kill(-pid_, SIGCONT);  // a test may have stopped it
  ::kill(pid_, SIGTERM);
  int status = 0;
  if (!wait_until(3, [&] { return ::waitpid(pid_, &status, WNOHANG) != 0; })) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
}

bool BackgroundProcess::running() const {
  int status = 0;
  return ::waitpid(pid_, &status, WNOHANG) == 0;
}

std::string BackgroundProcess::log() const {
  return read_file(log_file_);
}

bool wait_until(double seconds, const std::function<bool()>& condition) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace promise::test
