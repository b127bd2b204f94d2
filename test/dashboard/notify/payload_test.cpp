#include "dashboard/server/notify/payload.h"

#include <catch2/catch.hpp>

#include <rapidjson/document.h>

using namespace siagent::dashboard;
using namespace siagent::dashboard::notify;

namespace {

Incident rss_incident() {
    Incident incident;
    incident.account_id = 1;
    incident.app_id = 7;
    incident.app_name = "check<out>";
    incident.anomaly.id = 42;
    incident.anomaly.time = 1764050000;
    incident.anomaly.kind = "metric";
    incident.anomaly.category = "memory";
    incident.anomaly.name = "Current RSS";
    incident.anomaly.host = "h1";
    incident.anomaly.environment = "prod";
    incident.anomaly.value = 5e8;
    incident.anomaly.unit = "byte";
    incident.anomaly.score = 0.995;
    incident.anomaly.message = "memory / Current RSS at 5e+08 byte, expected about 1e+08 byte";
    return incident;
}

}  // namespace

TEST_CASE("payload: json carries app, kind, series, severity, time, message and link",
          "[dashboard][notify]") {
    const Incident incident = rss_incident();
    const std::string link = incident_link("https://dash.example/", incident);
    CHECK(link == "https://dash.example/#/apps/7/anomalies?range=custom&from=1764046400&to=1764053600");
    Incident test;
    test.anomaly.kind = "test";
    CHECK(incident_link("https://dash.example", test) == "https://dash.example/");
    rapidjson::Document json;
    json.Parse(json_payload(incident, link).c_str());
    REQUIRE(json.IsObject());
    CHECK(std::string(json["event"].GetString()) == "anomaly");
    CHECK(json["app"]["id"].GetInt64() == 7);
    CHECK(std::string(json["app"]["name"].GetString()) == "check<out>");
    CHECK(std::string(json["kind"].GetString()) == "metric");
    CHECK(std::string(json["series"]["category"].GetString()) == "memory");
    CHECK(std::string(json["series"]["name"].GetString()) == "Current RSS");
    CHECK(std::string(json["series"]["host"].GetString()) == "h1");
    CHECK(std::string(json["series"]["environment"].GetString()) == "prod");
    CHECK(std::string(json["severity"].GetString()) == "critical");
    CHECK(json["score"].GetDouble() == Approx(0.995));
    CHECK(json["value"].GetDouble() == Approx(5e8));
    CHECK(std::string(json["unit"].GetString()) == "byte");
    CHECK(json["time"].GetInt64() == 1764050000);
    CHECK(json["anomaly_id"].GetInt64() == 42);
    CHECK(std::string(json["message"].GetString()) == incident.anomaly.message);
    CHECK(std::string(json["link"].GetString()) == link);
    CHECK(std::string(severity(0.95)) == "warning");
}

TEST_CASE("payload: slack is one escaped text with the link", "[dashboard][notify]") {
    const Incident incident = rss_incident();
    rapidjson::Document json;
    json.Parse(slack_payload(incident, "https://dash.example/#/apps/7").c_str());
    REQUIRE(json.IsObject());
    REQUIRE(json.MemberCount() == 1);
    const std::string text = json["text"].GetString();
    CHECK(text.find("*check&lt;out&gt;*") != std::string::npos);
    CHECK(text.find("memory / Current RSS on h1 (prod)") != std::string::npos);
    CHECK(text.find("2025-11-25 05:53:20 UTC") != std::string::npos);
    CHECK(text.find("<https://dash.example/#/apps/7|Open in siagent>") != std::string::npos);
}
