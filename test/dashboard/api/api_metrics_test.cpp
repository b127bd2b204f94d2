// /metrics (issue 21): off without --metrics-token-file, refused without its token, and
// with it this instance's counts in the Prometheus text format, read back with
// Prometheus' own parser (python3-prometheus-client).
#include <catch2/catch.hpp>

#include <ctime>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"
#include "test/dashboard/api/metrics_scrape.h"

using namespace siagent::testing;

namespace {

constexpr char kToken[] = "metrics-scrape-token-0123456789";

}  // namespace

TEST_CASE("api: /metrics does not exist unless a token file is given", "[api][metrics]") {
    DashboardServer server;
    CHECK(http_call(server.port(), scrape("")).status == 404);
    CHECK(http_call(server.port(), scrape(kToken)).status == 404);
}

TEST_CASE("api: a short metrics token is refused at start", "[api][metrics]") {
    TemporaryDirectory directory;
    std::ofstream(directory.path() + "/token") << "short\n";
    RunResult started = run({dashboard_binary(), "--data", directory.path() + "/data", "--listen", "127.0.0.1:0",
                             "--metrics-token-file", directory.path() + "/token"},
                            {}, 30);
    CHECK(started.exit_code == 2);
    CHECK(started.err.find("at least 16 characters") != std::string::npos);
    CHECK(started.err.find("short") == std::string::npos);  // the token itself is never printed
}

TEST_CASE("api: /metrics counts uploads by outcome, bytes and database writes, for its token only",
          "[api][metrics]") {
    TemporaryDirectory directory;
    const std::string token_file = directory.path() + "/metrics.token";
    std::ofstream(token_file) << "  " << kToken << "\n";
    DashboardServer server({"--metrics-token-file", token_file});

    HttpReply anonymous = http_call(server.port(), scrape(""));
    CHECK(anonymous.status == 401);
    CHECK(anonymous.headers["www-authenticate"] == "Bearer");
    CHECK(http_call(server.port(), scrape("metrics-scrape-token-012345678X")).status == 401);
    CHECK(anonymous.body.find("siagent_dashboard") == std::string::npos);

    const int64_t now = std::time(nullptr);
    const HttpCall upload = agent_call(server.agent_key(), "upload", python_upload(now));
    REQUIRE(http_call(server.port(), upload).status == 200);
    REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", python_upload(now + 60))).status == 200);
    REQUIRE(http_call(server.port(), agent_call("not-a-key", "upload", python_upload(now))).status == 401);
    REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", "{not json", false)).status == 400);

    HttpReply scraped = http_call(server.port(), scrape(kToken));
    REQUIRE(scraped.status == 200);
    CHECK(scraped.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8");
    auto samples = parse_exposition(scraped.body);
    CHECK(samples["siagent_dashboard_uploads_total{outcome=\"stored\"}"] == 2);
    CHECK(samples["siagent_dashboard_uploads_total{outcome=\"rejected\"}"] == 2);
    CHECK(samples["siagent_dashboard_uploads_total{outcome=\"failed\"}"] == 0);
    // Both stored bodies were sent gzipped; the refused ones' bodies were never read or are small.
    CHECK(samples["siagent_dashboard_upload_bytes_total{}"] >= 2 * 200);
    CHECK(samples["siagent_dashboard_upload_bytes_total{}"] <= 2 * upload.body.size() + 100);
    CHECK(samples["siagent_dashboard_database_write_seconds_count{}"] == 2);
    CHECK(samples["siagent_dashboard_database_write_seconds_bucket{le=\"+Inf\"}"] == 2);
    CHECK(samples["siagent_dashboard_database_write_seconds_sum{}"] > 0);
    CHECK(samples["siagent_dashboard_answers_total{code=\"2xx\",kind=\"upload\"}"] == 2);
    CHECK(samples["siagent_dashboard_answers_total{code=\"4xx\",kind=\"upload\"}"] == 2);
    CHECK(samples["siagent_dashboard_answers_total{code=\"4xx\",kind=\"metrics\"}"] == 2);
    CHECK(samples["siagent_dashboard_answer_seconds_count{kind=\"upload\"}"] == 4);
    // The python agent's upload carries metrics: each series has a detector here.
    CHECK(samples["siagent_dashboard_detector_series{}"] > 0);
    CHECK(samples["siagent_dashboard_judging{}"] == 1);  // the only instance judges
    CHECK(samples["siagent_dashboard_uploads_judged_total{}"] == 2);
    CHECK(samples["siagent_dashboard_body_bytes_in_flight{}"] == 0);
    CHECK(samples["siagent_dashboard_webhook_deliveries_total{outcome=\"delivered\"}"] == 0);
    // The database's queues, read for every instance: nothing waits (the one instance judged
    // both uploads before answering them).
    REQUIRE(samples.count("siagent_dashboard_uploads_to_judge{}") == 1);
    CHECK(samples["siagent_dashboard_uploads_to_judge{}"] == 0);
    REQUIRE(samples.count("siagent_dashboard_webhook_outbox{}") == 1);
    CHECK(samples["siagent_dashboard_webhook_outbox{}"] == 0);
    CHECK(samples["siagent_dashboard_start_time_seconds{}"] >= now - 60);
    CHECK(samples["siagent_dashboard_start_time_seconds{}"] <= now + 1);

    // Counters only grow: the scrape just answered is in the next one.
    auto again = parse_exposition(http_call(server.port(), scrape(kToken)).body);
    CHECK(again["siagent_dashboard_answers_total{code=\"2xx\",kind=\"metrics\"}"] == 1);
}
