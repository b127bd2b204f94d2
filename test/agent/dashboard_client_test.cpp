// The dashboard sink and its HTTP client against a Beast test server in this process.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "test/agent/sink_harness.h"
#include "transport/dashboard_connection.h"

using namespace siagent;
using namespace siagent::testing;
using namespace std::chrono_literals;

namespace {

bool has_upload(const TestDashboard& server) {
    for (const ReceivedRequest& request : server.requests())
        if (request.target.ends_with("/agent/v1/upload")) return true;
    return false;
}

std::set<std::string> measurement_ids(const TestDashboard& server) {
    std::vector<std::shared_ptr<rapidjson::Document>> keep;
    std::set<std::string> ids;
    for (const rapidjson::Value* metric : uploaded_metrics(server.requests(), keep))
        ids.insert((*metric)["measurement"]["id"].GetString());
    return ids;
}

}  // namespace

TEST_CASE("an upload has the protocol's method, path, headers, gzip body, envelope and tree") {
    TestDashboard server;
    SinkHarness harness(server.address() + "/prefix/");
    harness.deliver_cpu();
    REQUIRE(harness.run_until([&] { return has_upload(server); }, 5s));

    ReceivedRequest upload;
    for (const ReceivedRequest& request : server.requests())
        if (request.target.ends_with("upload")) upload = request;
    CHECK(upload.method == "POST");
    CHECK(upload.target == "/prefix/agent/v1/upload");
    CHECK(upload.headers["content-type"] == "application/json");
    CHECK(upload.headers["content-encoding"] == "gzip");
    CHECK(upload.headers["accept-encoding"] == "gzip");
    CHECK(upload.headers["authorization"] == basic_authorization("secret-key-7f3a"));
    CHECK(basic_authorization("secret-key-7f3a") == "Basic c2VjcmV0LWtleS03ZjNhOg==");  // base64("secret-key-7f3a:")
    CHECK(upload.gzip_ok);

    auto body = parse_body(upload);
    REQUIRE(body);
    const rapidjson::Document& envelope = *body;
    CHECK(std::string(envelope["runtime_type"].GetString()) == "native");
    CHECK(std::string(envelope["app_name"].GetString()) == "harness");
    CHECK(std::string(envelope["host_name"].GetString()) == "test-host");
    CHECK(envelope["process_id"].GetInt64() == getpid());
    CHECK(std::string(envelope["run_id"].GetString()).size() == 36);
    CHECK(envelope["run_ts"].GetInt64() > 1'600'000'000);
    CHECK(envelope["sent_at"].GetInt64() >= envelope["run_ts"].GetInt64());
    const auto& messages = envelope["payload"]["messages"];
    REQUIRE(messages.Size() == 1);
    CHECK(std::string(messages[0]["topic"].GetString()) == "metric");
    const auto& metric = messages[0]["content"];
    CHECK(std::string(metric["category"].GetString()) == "cpu-profile");
    const auto& root = metric["measurement"]["breakdown"];
    std::string why;
    CHECK(breakdown_sums_hold(root, why));
    INFO(why);
    CHECK(measurement_through(root, "score (score.cpp:12)") > 0);
}

TEST_CASE("config is asked soon after start, then periodically, and each answer is applied") {
    TestDashboard server;
    server.set_config_answer(R"({"agent_enabled":"yes","profiling_disabled":"yes"})");
    SinkHarness harness(server.address());
    REQUIRE(harness.run_until([&] { return !harness.answers.empty(); }, 3s));
    CHECK(harness.answers.back().agent_enabled);
    CHECK(harness.answers.back().profiling_disabled);
    ReceivedRequest config = server.requests().front();
    CHECK(config.target == "/agent/v1/config");
    auto body = parse_body(config);
    REQUIRE(body);
    CHECK((*body)["payload"].IsObject());
    CHECK((*body)["payload"].ObjectEmpty());

    server.set_config_answer(R"({"profiling_disabled":"no"})");  // no agent_enabled: disabled
    REQUIRE(harness.run_until([&] { return !harness.answers.back().agent_enabled; }, 3s));
    CHECK(server.count("/agent/v1/config") >= 2);
}

TEST_CASE("a disabled agent sends nothing, and discards what was queued") {
    TestDashboard server;
    server.set_down(true);
    SinkHarness harness(server.address());
    harness.deliver_cpu();
    harness.sink->set_enabled(false);
    harness.deliver_cpu();
    server.set_down(false);
    harness.run_for(1500ms);
    CHECK(server.count("/agent/v1/upload") == 0);
    CHECK(harness.sink->stats().queue.dropped_disabled == 1);
}

TEST_CASE("garbage, 500, redirect and huge answers fail the upload; nothing is lost") {
    for (ServerMode mode : {ServerMode::garbage, ServerMode::error500, ServerMode::redirect,
                            ServerMode::huge}) {
        INFO("mode " << static_cast<int>(mode));
        TestDashboard server;
        server.set_mode(mode);
        SinkHarness harness(server.address());
        harness.deliver_cpu();
        REQUIRE(harness.run_until([&] { return harness.sink->stats().failed_uploads >= 1; }, 5s));
        CHECK(harness.sink->stats().queue.sent == 0);
        CHECK(harness.answers.empty());  // bad config answers change nothing
        server.set_mode(ServerMode::normal);
        REQUIRE(harness.run_until([&] { return harness.sink->stats().queue.sent == 1; }, 5s));
        CHECK(measurement_ids(server).size() == 1);
    }
}

TEST_CASE("a server that accepts and never answers costs a request timeout, then a retry") {
    TestDashboard server;
    server.set_mode(ServerMode::stall);
    SinkHarness harness(server.address());
    harness.deliver_cpu();
    auto started = std::chrono::steady_clock::now();
    REQUIRE(harness.run_until([&] { return harness.sink->stats().failed_uploads >= 1; }, 5s));
    auto waited = std::chrono::steady_clock::now() - started;
    CHECK(waited >= 900ms);   // the request timeout (1 s here), not less
    CHECK(waited < 2500ms);
    server.set_mode(ServerMode::normal);
    REQUIRE(harness.run_until([&] { return harness.sink->stats().queue.sent == 1; }, 5s));
}

TEST_CASE("an unreachable dashboard is retried with backoff, and said once on stderr") {
    int port;
    {
        TestDashboard probe;  // a port nobody listens on once it ends
        port = probe.port();
    }
    StderrCapture capture;
    SinkHarness harness("http://127.0.0.1:" + std::to_string(port));
    harness.deliver_cpu();
    harness.run_for(2000ms);
    // Backoff 200, 400, 800, 800 ms (±20 %): about 4 attempts in 2 s, not one per flush.
    uint64_t failures = harness.sink->stats().failed_uploads;
    CHECK(failures >= 2);
    CHECK(failures <= 6);
    std::string err = capture.text();
    INFO(err);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK(err.find("siagent: cannot send to the dashboard at http://127.0.0.1:") == 0);
    CHECK(err.find("secret-key") == std::string::npos);
}

TEST_CASE("an outage (60 s scaled down to 3 s) loses no message") {
    TestDashboard server;
    SinkHarness harness(server.address());
    harness.deliver_cpu();
    REQUIRE(harness.run_until([&] { return harness.sink->stats().queue.sent == 1; }, 5s));
    server.set_down(true);
    for (int report = 0; report < 10; ++report) {  // a report every 300 ms during the outage
        harness.deliver_cpu();
        harness.run_for(300ms);
    }
    CHECK(harness.sink->stats().failed_uploads >= 2);
    server.set_down(false);
    REQUIRE(harness.run_until([&] { return harness.sink->stats().queue.sent == 11; }, 5s));
    CHECK(measurement_ids(server).size() == 11);  // each once
    CHECK(uploaded_messages(server.requests()) == 11);
}

TEST_CASE("the last flush at exit sends what is queued, and ends by its deadline") {
    SECTION("dashboard up: everything queued is sent before done") {
        TestDashboard server;
        SinkHarness harness(server.address());
        for (int i = 0; i < 3; ++i) harness.deliver_cpu();
        bool done = false;
        harness.sink->finish(harness.clock.now() + 1500ms, [&] { done = true; });
        REQUIRE(harness.run_until([&] { return done; }, 3s));
        CHECK(measurement_ids(server).size() == 3);
    }
    SECTION("the last uploads say the process is ending, the periodic ones do not") {
        TestDashboard server;
        SinkHarness harness(server.address());
        harness.deliver_cpu();
        REQUIRE(harness.run_until([&] { return harness.sink->stats().queue.sent == 1; }, 5s));
        harness.deliver_cpu();
        bool done = false;
        harness.sink->finish(harness.clock.now() + 1500ms, [&] { done = true; });
        REQUIRE(harness.run_until([&] { return done; }, 3s));
        std::vector<bool> ending;
        for (const ReceivedRequest& request : server.requests()) {
            auto body = parse_body(request);
            if (!request.target.ends_with("/agent/v1/upload") || !body) continue;
            const rapidjson::Value& payload = (*body)["payload"];
            ending.push_back(payload.HasMember("process_ending") && payload["process_ending"].IsTrue());
        }
        CHECK(ending == std::vector<bool>{false, true});
    }
    SECTION("dashboard stalls: done at the deadline, not after the request timeout") {
        TestDashboard server;
        server.set_mode(ServerMode::stall);
        SinkHarness harness(server.address());
        harness.deliver_cpu();
        // An upload with the ordinary 1 s timeout is under way when the exit comes.
        REQUIRE(harness.run_until([&] { return has_upload(server); }, 3s));
        bool done = false;
        auto started = std::chrono::steady_clock::now();
        harness.sink->finish(harness.clock.now() + 300ms, [&] { done = true; });
        REQUIRE(harness.run_until([&] { return done; }, 3s));
        CHECK(std::chrono::steady_clock::now() - started < 600ms);
    }
}

TEST_CASE("runtime metrics are sent as state and counter metrics") {
    TestDashboard server;
    SinkHarness harness(server.address());
    harness.sink->enqueue_metric({"state", "memory", "Current RSS", "kilobyte", 1234, 0, 0, {}});
    harness.sink->enqueue_metric({"counter", "cpu", "CPU time", "nanosecond", 5e8, 1'700'000'000, 60, {}});
    REQUIRE(harness.run_until([&] { return uploaded_messages(server.requests()) == 2; }, 5s));
    std::vector<std::shared_ptr<rapidjson::Document>> keep;
    auto metrics = uploaded_metrics(server.requests(), keep);
    const rapidjson::Value& rss = *metrics[0];
    CHECK(std::string(rss["type"].GetString()) == "state");
    CHECK(std::string(rss["unit"].GetString()) == "kilobyte");
    CHECK(rss["measurement"]["value"].GetDouble() == 1234);
    CHECK(rss["measurement"]["breakdown"].IsNull());
    CHECK(rss["measurement"]["duration"].IsNull());
    CHECK(rss["measurement"]["timestamp"].GetInt64() > 1'600'000'000);
    const rapidjson::Value& cpu = *metrics[1];
    CHECK(std::string(cpu["type"].GetString()) == "counter");
    CHECK(cpu["measurement"]["duration"].GetDouble() == 60);
    CHECK(cpu["measurement"]["timestamp"].GetInt64() == 1'700'000'000);
    CHECK(std::string(rss["id"].GetString()) != std::string(cpu["id"].GetString()));
}

TEST_CASE("of a Report, the dashboard gets span metrics, its app's crashes as Crashes and the metrics reading") {
    TestDashboard server;
    SinkHarness harness(server.address());
    Report report;
    report.start_ns = 1'700'000'000'000'000'000;
    report.end_ns = report.start_ns + 60'000'000'000;
    report.spans.push_back({"checkout", 10, 52.1, 5.0, 7.9, 8.1, 8.2, 0});
    CrashRecord ours;
    ours.app = "harness";
    ours.signal_name = "SIGSEGV";
    ours.pid = 42;
    ours.frames = {0x1000};
    CrashRecord other = ours;
    other.app = "another app";
    report.crashes = {ours, other};
    MetricsSnapshot reading;
    reading.time_ns = report.end_ns;
    reading.rss_bytes = 2 << 20;
    report.metrics = {reading};
    CHECK(harness.sink->wants_crash(ours));
    CHECK_FALSE(harness.sink->wants_crash(other));
    REQUIRE(harness.sink->deliver(report));

    std::map<std::string, double> values;  // "category/name" -> measurement value
    REQUIRE(harness.run_until([&] {
        std::vector<std::shared_ptr<rapidjson::Document>> keep;
        values.clear();
        for (const rapidjson::Value* metric : uploaded_metrics(server.requests(), keep))
            values[std::string((*metric)["category"].GetString()) + "/" + (*metric)["name"].GetString()] =
                (*metric)["measurement"]["value"].GetDouble();
        return values.count("memory/Current RSS") == 1;
    }, 5s));
    CHECK(values["span/checkout"] == Approx(7.9));
    CHECK(values["error-profile/Crashes"] == 1);  // the other app's crash is not this app's
    CHECK(values["memory/Current RSS"] == 2048);
}
