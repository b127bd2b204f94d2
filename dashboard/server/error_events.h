// Exceptions and crashes as they arrive in error-profile breakdowns: the message
// (`Type: what`) is a leaf below its throw site, the path above it is the stack.
#pragma once

#include <string>
#include <vector>

#include "dashboard/server/call_tree.h"

namespace siagent::dashboard {

struct ErrorEvent {
    std::string type;     // before the first ": " of the message ("SIGSEGV" for a crash)
    std::string message;  // the whole leaf name
    std::string site;     // the frame that threw (or crashed); empty when the leaf is top-level
    std::vector<std::string> frames;  // innermost first
    double count = 0;
};

// At most `max_events` events, the largest counts first.
std::vector<ErrorEvent> error_events(const CallTree& tree, size_t max_events);

}  // namespace siagent::dashboard
