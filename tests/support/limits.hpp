#pragma once
// Margins for the tests that assert a deadline holds or memory stays flat. Sanitizer builds
// start and run several times slower and carry a large shadow memory, so there the time
// margin widens and memory limits are not asserted; the release build asserts the tight ones.

namespace promise::test {

#ifdef PROMISE_SANITIZED
inline constexpr bool kSanitized = true;
inline constexpr double kTimeMargin = 2.0;  // seconds past a deadline
#else
inline constexpr bool kSanitized = false;
inline constexpr double kTimeMargin = 0.5;
#endif

}  // namespace promise::test
