// Exceptions and crashes as they arrive in error-profile breakdowns: the message
// (`Type: what`) is a leaf below its throw site, the path above it is the stack.
#pragma once

#include <string>
#include <vector>

#include "dashboard/server/model/call_tree.h"

namespace siagent::dashboard {

struct ErrorEvent {
    std::string type;     // before the first ": " of the message ("SIGSEGV" for a crash)
    std::string message;  // the whole leaf name
    std::string site;     // throw_site(frames), or crash_site(frames) for a crash
    std::vector<std::string> frames;  // innermost first
    double count = 0;
};

// Frames as storage keeps them: one a line, innermost first (a line break inside a name
// would only split that name in the UI).
std::string frames_text(const std::vector<std::string>& frames);
std::vector<std::string> frames_from_text(const std::string& text);

enum class ErrorKind { exception, crash };

// At most `max_events` events, the largest counts first.
std::vector<ErrorEvent> error_events(const CallTree& tree, size_t max_events, ErrorKind kind);

}  // namespace siagent::dashboard
