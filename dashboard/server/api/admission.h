// What a request must pass once its headers are read and before its body is: who sends
// it (an agent's key), how large its body may be, and a share of the process-wide budget of
// body bytes in flight. A request that fails never has its body read: an anonymous client
// cannot make the server hold memory, and all clients together hold at most the budget
// (past it: 503 with Retry-After, never growth).
#pragma once

#include <optional>

#include "dashboard/server/http/body_budget.h"
#include "dashboard/server/result.h"
#include "dashboard/server/api/router.h"

namespace siagent::dashboard {

struct Admission {
    size_t body_limit = 0;                   // for the parser: 413 beyond
    std::optional<BodyReservation> reserved;  // empty for a request without a body
    // An agent request with a body: the key its headers carry, checked here once (the
    // handler takes it from here instead of looking it up again).
    std::optional<AgentKeyOwner> agent_key;
};

// Decides on `header` (the request as read so far: no body yet). A failure is answered and
// the connection closed.
// An agent's refusal is recorded (agent_rejections.h).
Result<Admission> admit(ServerContext& context, const Request& header, std::optional<uint64_t> content_length,
                        const std::string& remote_address);

}  // namespace siagent::dashboard
