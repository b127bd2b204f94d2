#include "dashboard/server/api/admission.h"

#include "dashboard/server/api/agent_api.h"
#include "dashboard/server/http/http_message.h"

namespace siagent::dashboard {

bool BodyBudget::reserve(size_t bytes) {
    size_t held = held_.load(std::memory_order_relaxed);
    do {
        if (bytes > limit_ || held > limit_ - bytes) return false;
    } while (!held_.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed));
    return true;
}

namespace {

Result<Admission> decide(ServerContext& context, const Request& header, std::optional<uint64_t> content_length,
                         bool agent, std::optional<AgentKeyOwner>& key) {
    const Limits& limits = context.settings.limits;
    Admission admission;
    admission.body_limit = agent ? limits.body_bytes : limits.ui_body_bytes;
    const bool has_body = header.chunked() || content_length.value_or(0) > 0;
    if (!has_body) return admission;
    if (agent) {
        // The key is checked from the headers: an unknown sender's body is never read.
        key = agent_key_of(context, header);
        if (!key) return Failure{401, "unknown agent key"};
    }
    if (content_length && *content_length > admission.body_limit) return Failure{413, "request too large"};
    const size_t bytes = content_length ? static_cast<size_t>(*content_length) : admission.body_limit;
    if (!context.body_budget.reserve(bytes)) return Failure{503, "busy: too many request bodies in flight"};
    admission.reserved.emplace(context.body_budget, bytes);
    admission.agent_key = key;
    return admission;
}

}  // namespace

Result<Admission> admit(ServerContext& context, const Request& header, std::optional<uint64_t> content_length,
                        const std::string& remote_address) {
    const bool agent = target_path(header.target()).starts_with("/agent/");
    std::optional<AgentKeyOwner> key;
    auto admitted = decide(context, header, content_length, agent, key);
    if (!admitted && agent) {
        refuse_agent(context, header, key, admitted.failure().status, admitted.failure().reason, remote_address);
    }
    return admitted;
}

}  // namespace siagent::dashboard
