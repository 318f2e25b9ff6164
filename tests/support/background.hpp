#pragma once
// A server the test starts and leaves running (supervisord, a Python WebSocket server): its own
// process group, ended (SIGTERM, then SIGKILL to the group) and reaped by the destructor,
// killed by the kernel if the test process dies first. Output goes to a file, for failures.
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace promise::test {

class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_file);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  pid_t pid() const { return pid_; }
  bool running() const;  // not exited yet
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_file_;
};

// Polls condition every 20 ms until it holds or seconds pass; returns whether it held.
bool wait_until(double seconds, const std::function<bool()>& condition);

}  // namespace promise::test
