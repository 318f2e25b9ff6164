// The Happy Eyeballs schedule (RFC 8305 §5) against a fake clock: when each attempt starts, and
// that a late timer expiry never starts two attempts at once.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "happy_eyeballs.hpp"

namespace promise::detail {
namespace {

using namespace std::chrono_literals;
using Schedule = HappyEyeballsSchedule;
const Schedule::TimePoint t0 = Schedule::TimePoint{} + 1h;  // any start of the fake clock

Schedule::TimePoint at(std::chrono::milliseconds offset) {
  return t0 + offset;
}

TEST(HappyEyeballsSchedule, FirstAttemptAtOnceThenOneEveryDelay) {
  Schedule schedule(3);
  EXPECT_TRUE(schedule.due(t0));
  EXPECT_EQ(schedule.start(t0), 0u);
  EXPECT_FALSE(schedule.due(at(249ms)));
  EXPECT_EQ(schedule.next_start(), at(250ms));
  EXPECT_EQ(schedule.start(at(250ms)), 1u);
  EXPECT_EQ(schedule.next_start(), at(500ms));
  EXPECT_EQ(schedule.start(at(500ms)), 2u);
  EXPECT_EQ(schedule.next_start(), std::nullopt);  // every address tried
  EXPECT_FALSE(schedule.done());                   // three attempts still in flight
  EXPECT_EQ(schedule.in_flight(), 3u);
}

TEST(HappyEyeballsSchedule, FailureOfTheLatestStartsTheNextAtOnce) {
  Schedule schedule(3);
  schedule.start(t0);
  schedule.failed(0, at(3ms));
  EXPECT_TRUE(schedule.due(at(3ms)));
  EXPECT_EQ(schedule.start(at(3ms)), 1u);
  EXPECT_EQ(schedule.next_start(), at(253ms));  // the delay counts from the latest start
}

// The defect: attempt 0 fails just as its stagger timer expires; the failure starts attempt 1,
// and the expiry, already queued, must not start attempt 2 on top of it.
TEST(HappyEyeballsSchedule, LateTimerExpiryStartsNothing) {
  Schedule schedule(3);
  schedule.start(t0);
  schedule.failed(0, at(250ms));
  ASSERT_TRUE(schedule.due(at(250ms)));
  schedule.start(at(250ms));
  for (auto late : {250ms, 251ms, 400ms, 499ms}) {
    EXPECT_FALSE(schedule.due(at(late))) << late.count() << " ms";
  }
  EXPECT_TRUE(schedule.due(at(500ms)));
}

// An older attempt failing while the latest is still young does not hurry the next one: the
// two in flight would have started less than the delay apart.
TEST(HappyEyeballsSchedule, FailureOfAnOlderAttemptDoesNotHurryTheNext) {
  Schedule schedule(3);
  schedule.start(t0);
  schedule.start(at(250ms));
  schedule.failed(0, at(300ms));
  EXPECT_FALSE(schedule.due(at(300ms)));
  EXPECT_EQ(schedule.next_start(), at(500ms));
}

TEST(HappyEyeballsSchedule, NothingStartsAfterAConnection) {
  Schedule schedule(3);
  schedule.start(t0);
  schedule.connected(0);
  EXPECT_EQ(schedule.next_start(), std::nullopt);
  EXPECT_FALSE(schedule.due(at(10s)));
  EXPECT_EQ(schedule.winner(), 0u);
  EXPECT_TRUE(schedule.done());
}

TEST(HappyEyeballsSchedule, DoneWhenEveryAttemptFailed) {
  Schedule schedule(2);
  schedule.start(t0);
  schedule.failed(0, at(1ms));
  schedule.start(at(1ms));
  EXPECT_FALSE(schedule.done());
  schedule.failed(1, at(2ms));
  EXPECT_TRUE(schedule.done());
  EXPECT_EQ(schedule.winner(), std::nullopt);
  EXPECT_EQ(schedule.next_start(), std::nullopt);
}

TEST(HappyEyeballsSchedule, NoAddressNothingToDo) {
  Schedule schedule(0);
  EXPECT_EQ(schedule.next_start(), std::nullopt);
  EXPECT_TRUE(schedule.done());
}

// Many races with random outcomes, driven as the TCP check drives the schedule: it starts what
// is due on every event (an attempt's end, a timer expiry), and re-arms one timer at the next
// start. Timer expiries are also delivered late and twice, as a queued expiry that cancel()
// cannot stop. Whatever happens: attempts in flight together started at least the delay apart,
// each attempt starts as soon as it is due, and every address is tried unless one connects.
TEST(HappyEyeballsSchedule, RandomRacesNeverOverlapMoreThanTheDelayAllows) {
  std::mt19937 random(8305);
  for (int race = 0; race < 500; ++race) {
    const std::size_t addresses = 1 + random() % 30;
    Schedule schedule(addresses);
    enum class Kind { fails, connects, timer };
    std::multimap<Schedule::TimePoint, std::pair<Kind, std::size_t>> events;
    std::vector<Schedule::TimePoint> started_at;
    std::set<std::size_t> in_flight;
    auto pump = [&](Schedule::TimePoint now) {
      while (schedule.due(now)) {
        ASSERT_GE(now, *schedule.next_start());
        for (std::size_t other : in_flight) {
          ASSERT_GE(now - started_at[other], Schedule::kAttemptDelay)
              << "race " << race << ": attempt " << started_at.size() << " started "
              << std::chrono::duration<double, std::milli>(now - started_at[other]).count()
              << " ms after attempt " << other << ", still in flight";
        }
        const std::size_t index = schedule.start(now);
        started_at.push_back(now);
        in_flight.insert(index);
        const auto outcome = random() % 10;  // 0-5: fails, 6-8: hangs, 9: connects
        const auto after = std::chrono::milliseconds(random() % 600);
        if (outcome <= 5) events.emplace(now + after, std::pair{Kind::fails, index});
        if (outcome == 9) events.emplace(now + after, std::pair{Kind::connects, index});
      }
      if (const auto next = schedule.next_start()) {
        events.emplace(*next, std::pair{Kind::timer, 0});
        if (random() % 3 == 0) {  // the same expiry, delivered late
          events.emplace(*next + std::chrono::milliseconds(random() % 300),
                         std::pair{Kind::timer, 0});
        }
      }
    };
    pump(t0);
    while (!events.empty() && !schedule.winner()) {
      const auto [now, event] = *events.begin();
      events.erase(events.begin());
      const auto [kind, index] = event;
      if (kind == Kind::fails) {
        schedule.failed(index, now);
        in_flight.erase(index);
      } else if (kind == Kind::connects) {
        schedule.connected(index);
        in_flight.erase(index);
      }
      pump(now);
      if (HasFatalFailure()) return;
    }
    EXPECT_TRUE(schedule.winner() || schedule.all_started()) << "race " << race;
  }
}

}  // namespace
}  // namespace promise::detail
