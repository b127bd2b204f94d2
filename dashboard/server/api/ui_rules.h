// Mute and off rules of an application's anomalies (docs/dashboard-api.md, "Mute rules"):
//   GET    /api/apps/{id}/rules            the rules in force
//   POST   /api/apps/{id}/rules            mute a rule until a time, or turn it off (until null)
//   DELETE /api/apps/{id}/rules/{rule}     unmute / turn back on
// Members and owners change rules; viewers read.
#pragma once

#include <string_view>
#include <vector>

#include "dashboard/server/http/http_message.h"
#include "dashboard/server/json_out.h"
#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

inline constexpr size_t kMaxRulesPerApp = 1000;
inline constexpr int64_t kMaxMuteSeconds = 366 * 86400;

// `segments` as for handle_apps: {app id, "rules"[, rule id]}; the app is the caller's.
Response handle_rules(ServerContext& context, const Request& request, const Session& session, const AppScope& scope,
                      const std::vector<std::string_view>& segments);

// "rule": null, or {"id", "until": T|null} for the rule now in force over `anomaly`.
void write_rule_state(JsonOut& out, const AnomalyRow& anomaly);

}  // namespace siagent::dashboard
