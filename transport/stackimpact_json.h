// The dashboard protocol's JSON (docs/protocol.md) with RapidJSON: metric messages,
// the upload payload, the request envelope, and the config response. Agent thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/agent_identity.h"
#include "transport/metric.h"

namespace siagent {

// {"topic": "metric", "content": METRIC}: one queued message.
std::string metric_message_json(const Metric& metric);

// Whether the process is ending: its agent's last uploads, after which the dashboard counts
// the process as gone at once instead of waiting for its reports to stop.
enum class ProcessState { running, ending };

// {"messages": [...]} from already encoded messages, with "process_ending": true when ending
// (a siagent extension; the dashboard reads its absence as running).
std::string upload_payload_json(const std::vector<const std::string*>& messages,
                                ProcessState state = ProcessState::running);

// The request body: the identity's envelope fields, `sent_at`, and `payload_json` (valid
// JSON, inserted as it is).
std::string envelope_json(const AgentIdentity& identity, int64_t sent_at,
                          std::string_view payload_json);

// What the dashboard's `config` answer says. A missing agent_enabled means disabled.
struct RemoteConfig {
    bool agent_enabled = false;
    bool profiling_disabled = false;
    bool operator==(const RemoteConfig&) const = default;
};

// nullopt, with `error` set, when `body` is not a JSON object.
std::optional<RemoteConfig> parse_config_response(std::string_view body, std::string& error);

// `text` with every byte that is not part of valid UTF-8 replaced by '?'.
std::string valid_utf8(std::string_view text);

}  // namespace siagent
