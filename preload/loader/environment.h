// What the first stage reads from its environment, before any allocation it could avoid:
// no std::string, no libstdc++ (libsiagent.so links only libc and libunwind).
#pragma once

#include <cstdint>

namespace siagent {

inline constexpr int64_t kDefaultStartDelayMs = 50;
inline constexpr int64_t kLongestStartDelayMs = 60'000;

// SI_START_DELAY's value in milliseconds: seconds, or a number with suffix ms, s, m or h
// (core/config_values.h's durations), from 0 to a minute. Unset, empty or not valid gives
// the default (the agent, once loaded, says what was wrong with it).
int64_t start_delay_ms(const char* value);

// Whether LD_PRELOAD (or /etc/ld.so.preload) names this library's file.
bool library_preloaded();

}  // namespace siagent
