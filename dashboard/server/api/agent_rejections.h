// Requests refused to agents (any 4xx or 5xx answered on /agent/*). An agent that is
// refused usually says nothing (the original agents log only in debug mode), so the
// dashboard says it: one stderr line per key, status and reason at most once a minute,
// counting the ones folded into it, naming the key by its name (never the key); and the
// last kKeptPerKey refusals of each known key, for the Account page. Bounded in memory
// (kMaxKeys keys, kMaxLogStates log states; past them the oldest entries go).
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

struct AgentRejection {
    int64_t time = 0;
    int status = 0;
    std::string reason;    // as answered, cut to kMaxReasonBytes, control characters as '?'
    std::string endpoint;  // the request's path
    std::string address;   // the sender's address
};

class AgentRejections {
public:
    static constexpr size_t kKeptPerKey = 10;
    static constexpr size_t kMaxKeys = 10'000;
    static constexpr size_t kMaxLogStates = 10'000;
    static constexpr size_t kMaxReasonBytes = 300;
    static constexpr int64_t kLogEverySeconds = 60;

    explicit AgentRejections(std::ostream& log);

    // `key`: the sender's key when it is one of ours; nullopt for a missing or unknown key.
    void record(const std::optional<AgentKeyOwner>& key, AgentRejection rejection);
    // The last refusals of a key, newest first.
    std::vector<AgentRejection> last(int64_t key_id) const;

private:
    struct LogState {
        int64_t last_logged = 0;
        int64_t folded = 0;  // refusals not logged since
    };
    using LogKey = std::tuple<int64_t, int, std::string>;  // key id (0: unknown), status, reason

    std::ostream& log_;
    mutable std::mutex mutex_;
    std::map<int64_t, std::deque<AgentRejection>> by_key_;  // newest first
    std::map<LogKey, LogState> log_states_;
};

}  // namespace siagent::dashboard
