#pragma once
// When the next connection attempt of Happy Eyeballs (RFC 8305 §5) starts: pure, no clock and no
// socket, so it is tested with a fake clock. The TCP check asks it, and only it, before it starts
// an attempt: a timer expiry that comes late (already queued when an attempt failed) finds nothing
// due and starts nothing.
//
// The rule: the first attempt starts at once; the next starts when the latest attempt fails, or
// the Connection Attempt Delay after the latest start, whichever comes first. So any two attempts
// in flight at once started at least the delay apart. A failure of an older attempt does not
// hurry the next (the latest one is still trying, and started less than the delay ago).

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

namespace promise::detail {

class HappyEyeballsSchedule {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  static constexpr Clock::duration kAttemptDelay = std::chrono::milliseconds(250);  // RFC 8305

  explicit HappyEyeballsSchedule(std::size_t addresses, Clock::duration delay = kAttemptDelay)
      : addresses_(addresses), delay_(delay) {}

  // When the next attempt starts (at or before now: start it now); nullopt once an attempt
  // connected or every address was tried.
  std::optional<TimePoint> next_start() const {
    if (winner_ || started() == addresses_) return std::nullopt;
    if (started() == 0) return TimePoint{};
    if (latest_failed_at_) return *latest_failed_at_;
    return latest_start_ + delay_;
  }

  bool due(TimePoint now) const {
    const auto at = next_start();
    return at && *at <= now;
  }

  // Records that the next attempt starts now (only when due) and returns its index.
  std::size_t start(TimePoint now) {
    finished_.push_back(false);
    latest_start_ = now;
    latest_failed_at_.reset();
    return started() - 1;
  }

  void failed(std::size_t index, TimePoint now) {
    finished_.at(index) = true;
    if (index + 1 == started()) latest_failed_at_ = now;
  }

  void connected(std::size_t index) {
    finished_.at(index) = true;
    winner_ = index;
  }

  std::size_t started() const { return finished_.size(); }
  bool all_started() const { return started() == addresses_; }
  std::optional<std::size_t> winner() const { return winner_; }

  // Attempts started and not finished.
  std::size_t in_flight() const {
    std::size_t count = 0;
    for (bool finished : finished_) count += !finished;
    return count;
  }

  // Nothing left to wait for: an attempt connected, or every address was tried and failed.
  bool done() const { return winner_ || (all_started() && in_flight() == 0); }

 private:
  std::size_t addresses_;
  Clock::duration delay_;
  std::vector<bool> finished_;  // one per attempt started
  TimePoint latest_start_{};
  std::optional<TimePoint> latest_failed_at_;  // when the latest attempt failed, if it did
  std::optional<std::size_t> winner_;
};

}  // namespace promise::detail
