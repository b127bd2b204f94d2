#include "dashboard/server/notify/payload.h"

#include <ctime>

#include "dashboard/server/json_out.h"

namespace siagent::dashboard::notify {
namespace {

std::string utc_time(int64_t seconds) {
    const std::time_t time = static_cast<std::time_t>(seconds);
    std::tm parts{};
    gmtime_r(&time, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
    return text;
}

// Slack's mrkdwn: &, < and > are the only characters to escape.
std::string slack_escape(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        if (c == '&') escaped += "&amp;";
        else if (c == '<') escaped += "&lt;";
        else if (c == '>') escaped += "&gt;";
        else escaped += c;
    }
    return escaped;
}

std::string where(const AnomalyRow& a) {
    std::string text = a.host.empty() ? "" : " on " + a.host;
    if (!a.environment.empty()) text += " (" + a.environment + ")";
    return text;
}

}  // namespace

const char* severity(double score) { return score >= 0.99 ? "critical" : "warning"; }

std::string incident_link(const std::string& public_url, const Incident& incident) {
    std::string base = public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (incident.app_id == 0) return base + "/";  // a test message: the dashboard itself
    const int64_t time = incident.anomaly.time;
    return base + "/#/apps/" + std::to_string(incident.app_id) + "/anomalies?range=custom&from=" +
           std::to_string(time - 3600) + "&to=" + std::to_string(time + 3600);
}

std::string json_payload(const Incident& incident, const std::string& link) {
    const AnomalyRow& a = incident.anomaly;
    JsonOut out;
    out.object().field("event", a.kind == "test" ? "test" : "anomaly");
    out.key("app").object().field("id", incident.app_id).field("name", incident.app_name).end_object();
    out.field("kind", a.kind);
    out.key("series").object().field("category", a.category).field("name", a.name).field("host", a.host);
    out.field("environment", a.environment).end_object();
    out.field("severity", severity(a.score)).field("score", a.score).field("value", a.value).field("unit", a.unit);
    out.field("time", a.time).field("message", a.message).field("anomaly_id", a.id).field("link", link);
    out.end_object();
    return out.str();
}

std::string slack_payload(const Incident& incident, const std::string& link) {
    const AnomalyRow& a = incident.anomaly;
    std::string text;
    if (a.kind == "test") {
        text = "siagent test notification: " + slack_escape(a.message);
    } else {
        text = std::string(a.score >= 0.99 ? ":red_circle:" : ":warning:") + " *" + slack_escape(incident.app_name) +
               "*: " + slack_escape(a.kind) + " anomaly in " + slack_escape(a.category + " / " + a.name) +
               slack_escape(where(a)) + " at " + utc_time(a.time) + "\n" + slack_escape(a.message);
    }
    text += "\n<" + link + "|Open in siagent>";
    JsonOut out;
    out.object().field("text", text).end_object();
    return out.str();
}

}  // namespace siagent::dashboard::notify
