// What an upload's queue row keeps for the judge (anomaly/queued_upload.h): series points,
// error events, and a stand-in for each profile; anything else in a row is refused.
#include <catch2/catch.hpp>

#include <cmath>

#include "dashboard/server/anomaly/queued_upload.h"

using namespace siagent::dashboard;

TEST_CASE("queued upload: what the rules read survives the queue", "[dashboard][anomaly][judging]") {
    Envelope envelope;
    envelope.app_name = "shop";
    envelope.app_version = "2.0";
    envelope.app_environment = "prod";
    envelope.host_name = "h1";
    envelope.run_id = "not kept";
    ReportToStore rss;
    rss.series = SeriesKey{"state", "memory", "Current RSS", "byte"};
    rss.timestamp = 1'700'000'000;
    rss.value = 1.5e8;
    ReportToStore gap = rss;
    gap.value = std::nan("");
    ReportToStore cpu;
    cpu.series = SeriesKey{"profile", "cpu-profile", "CPU usage", "percent"};
    cpu.timestamp = 1'700'000'060;
    cpu.blob = std::string(100'000, 'x');
    cpu.span_stats = SpanStats{};
    ReportToStore crash;
    crash.series = SeriesKey{"profile", "error-profile", "Crashes", ""};
    crash.crash = true;
    crash.errors = {ErrorEvent{"SIGSEGV", "SIGSEGV: \"quoted\"\n", "f (a.cpp:1)", {"f (a.cpp:1)", "main"}, 1}};
    crash.blob = std::string("tree");

    const std::string payload = anomaly::encode_upload(7, ProcessKey{3, 9}, envelope, {rss, gap, cpu, crash});
    CHECK(payload.size() < 2000);  // the profile's tree is not queued
    const auto upload = anomaly::decode_upload(payload);
    REQUIRE(upload);
    CHECK(upload->account_id == 7);
    CHECK(upload->process.app_id == 3);
    CHECK(upload->process.process_id == 9);
    CHECK(upload->envelope.app_name == "shop");
    CHECK(upload->envelope.app_version == "2.0");
    CHECK(upload->envelope.app_environment == "prod");
    CHECK(upload->envelope.host_name == "h1");
    REQUIRE(upload->reports.size() == 4);
    CHECK(upload->reports[0].series.name == "Current RSS");
    CHECK(upload->reports[0].series.unit == "byte");
    CHECK(upload->reports[0].timestamp == 1'700'000'000);
    CHECK(upload->reports[0].value == 1.5e8);
    CHECK_FALSE(upload->reports[0].blob);
    CHECK(std::isnan(upload->reports[1].value));
    REQUIRE(upload->reports[2].blob);
    CHECK(upload->reports[2].blob->empty());
    CHECK(upload->reports[3].crash);
    REQUIRE(upload->reports[3].errors.size() == 1);
    CHECK(upload->reports[3].errors[0].message == "SIGSEGV: \"quoted\"\n");
    CHECK(upload->reports[3].errors[0].frames == std::vector<std::string>{"f (a.cpp:1)", "main"});
    CHECK(upload->reports[3].errors[0].count == 1);

    CHECK(anomaly::encode_upload(7, ProcessKey{3, 9}, envelope, {}).empty());
    CHECK_FALSE(anomaly::decode_upload(""));
    CHECK_FALSE(anomaly::decode_upload("[]"));
    CHECK_FALSE(anomaly::decode_upload(payload.substr(0, payload.size() / 2)));
    CHECK_FALSE(anomaly::decode_upload(R"({"account": "7"})"));
}
