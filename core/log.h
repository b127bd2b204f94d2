// Agent diagnostics on stderr, always prefixed so they can be told from the application's.
//
// A healthy agent prints nothing unless SI_DEBUG=1. Problems that stop a feature are
// printed once (`warn_once`), never per event.
#pragma once

#include <atomic>

namespace siagent {

void set_debug_logging(bool enabled);
bool debug_logging_enabled();

// Agent thread or constructor only (formats with vsnprintf into a stack buffer, one write(2)).
void log_debug(const char* format, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char* format, ...) __attribute__((format(printf, 1, 2)));

// Writes `text` and a newline as one line on stderr (text already carries its prefix).
void print_line(const char* text);

// Prints `message` once per `flag` for the life of the process. signal-safe: one write(2)
// of a string the caller already built.
void warn_once(std::atomic<bool>& flag, const char* message);

}  // namespace siagent
