// What a crash record needs that a signal handler cannot gather: where to write (the spool
// directory), who crashed (app, version, environment, host, executable), and which objects
// were loaded where (the module map, for symbolizing later). Prepared on the agent thread
// into static buffers, refreshed when libraries are loaded or unloaded.
//
// Double buffering: the agent thread writes the inactive copy, then publishes it with a
// release store of `active`; a crash handler announces itself in `readers`, then reads the
// active copy. The agent never rewrites a copy while a reader is announced, so a handler
// never sees a half-written copy.
#pragma once

#include <cstddef>
#include <string>

#include "core/config.h"

namespace siagent {

struct CrashContextView {
    const char* spool_dir;  // NUL-ended
    const char* text;       // identity then module lines, each "key value\n"
    size_t text_length;
};

// Agent thread. Creates the spool directory (mode 0700) and fills the context. Returns
// false with `error` when the directory cannot be made.
bool prepare_crash_context(const Config& config, std::string& error);
// Agent thread, periodically: rewrites the module map when objects came or went.
void refresh_crash_context();

// signal-safe. False when nothing was prepared; otherwise end_crash_context must follow.
bool begin_crash_context(CrashContextView& view);
void end_crash_context();

}  // namespace siagent
