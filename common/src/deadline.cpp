#include "promise/deadline.hpp"

#include <atomic>

namespace promise {
namespace {
// Read from signal handlers, hence a lock-free atomic pointer to a literal.
std::atomic<const char*> g_phase{"starting"};
static_assert(std::atomic<const char*>::is_always_lock_free);
}  // namespace

void set_phase(const char* phase_literal) {
  g_phase.store(phase_literal, std::memory_order_relaxed);
}
const char* current_phase() {
  return g_phase.load(std::memory_order_relaxed);
}

}  // namespace promise
