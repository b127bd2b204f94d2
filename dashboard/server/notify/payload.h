// What a webhook receives for one incident (docs/anomaly-detection.md, "Notifications"):
// `json`, a documented object, or `slack`, {"text": ...} that Slack's incoming webhooks (and
// Mattermost, Rocket.Chat, ...) show as a message.
#pragma once

#include <cstdint>
#include <string>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::notify {

// The anomaly that opened an incident, with what a message needs to say where it happened.
struct Incident {
    int64_t account_id = 0;
    int64_t app_id = 0;
    std::string app_name;
    AnomalyRow anomaly;  // kind "test" for a test notification
};

// "critical" at score >= 0.99, else "warning".
const char* severity(double score);

// The dashboard page of the incident: `public_url` + "#/apps/{id}/anomalies" around its time
// (`public_url` + "/" for a test message, app id 0).
std::string incident_link(const std::string& public_url, const Incident& incident);

std::string json_payload(const Incident& incident, const std::string& link);
std::string slack_payload(const Incident& incident, const std::string& link);

}  // namespace siagent::dashboard::notify
