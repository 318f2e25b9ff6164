#include "promise/deadline.hpp"

#include <atomic>

namespace promise {
namespace {
// Read from signal handlers, hence a lock-free atomic pointer to a literal.
std::atomic<const char*> g_phase{"starting"};
static_assert(std::atomic<const char*>::is_always_lock_free);
std::atomic<int> g_child_group{0};
static_assert(std::atomic<int>::is_always_lock_free);
}  // namespace

void set_phase(const char* phase_literal) {
  g_phase.store(phase_literal, std::memory_order_relaxed);
}
const char* current_phase() {
  return g_phase.load(std::memory_order_relaxed);
}

void set_child_process_group(int group) noexcept {
  g_child_group.store(group, std::memory_order_relaxed);
}
int child_process_group() noexcept {
  return g_child_group.load(std::memory_order_relaxed);
}

}  // namespace promise
