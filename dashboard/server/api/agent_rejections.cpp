#include "dashboard/server/api/agent_rejections.h"

#include <algorithm>

namespace siagent::dashboard {
namespace {

std::string printable(std::string text, size_t max_bytes) {
    if (text.size() > max_bytes) text.resize(max_bytes);
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return text;
}

}  // namespace

AgentRejections::AgentRejections(std::ostream& log) : log_(log) {}

void AgentRejections::record(const std::optional<AgentKeyOwner>& key, AgentRejection rejection) {
    rejection.reason = printable(std::move(rejection.reason), kMaxReasonBytes);
    rejection.endpoint = printable(std::move(rejection.endpoint), 200);
    const int64_t key_id = key ? key->key_id : 0;
    std::lock_guard lock(mutex_);
    if (key) {
        if (!by_key_.count(key_id) && by_key_.size() >= kMaxKeys) by_key_.erase(by_key_.begin());
        auto& kept = by_key_[key_id];
        kept.push_front(rejection);
        if (kept.size() > kKeptPerKey) kept.pop_back();
    }
    if (log_states_.size() >= kMaxLogStates) log_states_.clear();  // forgets only the rate limit
    LogState& state = log_states_[LogKey{key_id, rejection.status, rejection.reason}];
    if (state.last_logged != 0 && rejection.time - state.last_logged < kLogEverySeconds) {
        ++state.folded;
        return;
    }
    log_ << "siagent-dashboard: refused agent request to " << rejection.endpoint << " from " << rejection.address
         << " with " << (key ? "key \"" + printable(key->name, 200) + "\"" : std::string("no known key")) << ": "
         << rejection.status << " " << rejection.reason;
    if (state.folded > 0) log_ << " (and " << state.folded << " more like it since the last line)";
    log_ << std::endl;
    state.last_logged = rejection.time;
    state.folded = 0;
}

std::vector<AgentRejection> AgentRejections::last(int64_t key_id) const {
    std::lock_guard lock(mutex_);
    auto found = by_key_.find(key_id);
    if (found == by_key_.end()) return {};
    return {found->second.begin(), found->second.end()};
}

}  // namespace siagent::dashboard
