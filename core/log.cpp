#include "core/log.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

namespace siagent {
namespace {

std::atomic<bool> debug_enabled{false};

// One write(2) per line so that lines from several threads never interleave mid-line.
void write_line(const char* prefix, const char* format, va_list args) {
    char buffer[1024];
    int used = snprintf(buffer, sizeof buffer, "%s", prefix);
    int body = vsnprintf(buffer + used, sizeof buffer - used - 1, format, args);
    size_t length = used + (body < 0 ? 0 : static_cast<size_t>(body));
    if (length > sizeof buffer - 2) length = sizeof buffer - 2;
    buffer[length++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buffer, length);
    (void)ignored;
}

}  // namespace

void set_debug_logging(bool enabled) { debug_enabled.store(enabled, std::memory_order_relaxed); }

bool debug_logging_enabled() { return debug_enabled.load(std::memory_order_relaxed); }

void log_debug(const char* format, ...) {
    if (!debug_logging_enabled()) return;
    va_list args;
    va_start(args, format);
    write_line("[siagent] ", format, args);
    va_end(args);
}

void log_warning(const char* format, ...) {
    va_list args;
    va_start(args, format);
    write_line("siagent: ", format, args);
    va_end(args);
}

void print_line(const char* text) {
    std::string line(text);
    line += '\n';
    ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

void warn_once(std::atomic<bool>& flag, const char* message) {
    if (flag.exchange(true, std::memory_order_relaxed)) return;
    ssize_t ignored = write(STDERR_FILENO, message, strlen(message));
    (void)ignored;
}

}  // namespace siagent
