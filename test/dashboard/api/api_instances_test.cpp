// Several dashboard instances on one PostgreSQL database behind nginx (issue 21), with the
// example configuration of docs/dashboard.md (dashboard/deploy/nginx.conf) as it is, its
// ports replaced: agents' uploads through the proxy land on both instances, one session
// serves on either, both show the same merged profile, and killing one instance (SIGKILL)
// under load loses no upload that was acknowledged. PostgreSQL only (scripts/with-postgres).
#include <catch2/catch.hpp>

#include <libpq-fe.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <ctime>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"
#include "test/integration/background_process.h"
#include "test/support/test_dashboard.h"

using namespace siagent::testing;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kToken[] = "instances-test-metrics-token";

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return text;
}

// A sample of the instance on `port`'s /metrics, by its name and labels as written.
double scraped(int port, const std::string& sample) {
    HttpCall call{"GET", "/metrics", "", {{"Authorization", std::string("Bearer ") + kToken}}, false};
    HttpReply reply = http_call(port, call);
    REQUIRE(reply.status == 200);
    const size_t at = reply.body.find("\n" + sample + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(reply.body.substr(at + sample.size() + 2));
}

double stored_uploads(int port) { return scraped(port, "siagent_dashboard_uploads_total{outcome=\"stored\"}"); }

std::string database_url(const std::vector<std::string>& store_flags) {
    for (size_t i = 0; i + 1 < store_flags.size(); ++i) {
        if (store_flags[i] == "--database") return store_flags[i + 1];
    }
    return {};
}

// The timestamps of the app's "CPU usage" reports in the database.
std::set<int64_t> stored_times(const std::string& url, const std::string& app) {
    PGconn* connection = PQconnectdb(url.c_str());
    REQUIRE(PQstatus(connection) == CONNECTION_OK);
    const char* values[] = {app.c_str()};
    PGresult* result = PQexecParams(connection,
                                    "SELECT DISTINCT r.timestamp FROM reports r JOIN series s ON s.id = r.series_id "
                                    "JOIN apps a ON a.id = s.app_id WHERE a.name = $1 AND s.name = 'CPU usage'",
                                    1, nullptr, values, nullptr, nullptr, 0);
    REQUIRE(PQresultStatus(result) == PGRES_TUPLES_OK);
    std::set<int64_t> times;
    for (int row = 0; row < PQntuples(result); ++row) times.insert(std::atoll(PQgetvalue(result, row, 0)));
    PQclear(result);
    PQfinish(connection);
    return times;
}

}  // namespace

TEST_CASE("instances: two dashboards on one database behind nginx serve as one; killing one loses no "
          "acknowledged upload",
          "[api][instances]") {
    if (!postgres_cluster()) {
        WARN("several instances share a PostgreSQL database: this test runs under scripts/with-postgres");
        return;
    }
    TemporaryDirectory directory;
    const std::string token_file = directory.path() + "/metrics.token";
    std::ofstream(token_file) << kToken << "\n";
    const std::vector<std::string> operating = {"--metrics-token-file", token_file, "--trusted-proxy", "127.0.0.1"};
    DashboardServer first(operating);
    const int second_port = free_loopback_port();
    std::vector<std::string> argv = {dashboard_binary(), "--listen", "127.0.0.1:" + std::to_string(second_port)};
    for (const std::string& flag : first.store_flags()) argv.push_back(flag);
    argv.insert(argv.end(), operating.begin(), operating.end());
    auto second = std::make_unique<BackgroundProcess>(argv, std::map<std::string, std::string>{},
                                                      directory.path() + "/second.txt");
    REQUIRE(wait_for_port(second_port));

    // nginx with the example configuration, in a directory of its own.
    const char* source = std::getenv("SIAGENT_SOURCE_DIR");
    REQUIRE(source != nullptr);
    const int proxy_port = free_loopback_port();
    std::string config = read_file(std::string(source) + "/dashboard/deploy/nginx.conf");
    config = replaced(config, "server 127.0.0.1:8081", "server 127.0.0.1:" + std::to_string(first.port()));
    config = replaced(config, "server 127.0.0.1:8082", "server 127.0.0.1:" + std::to_string(second_port));
    config = replaced(config, "listen 127.0.0.1:8080", "listen 127.0.0.1:" + std::to_string(proxy_port));
    const std::string prefix = directory.path() + "/nginx/";
    std::filesystem::create_directories(prefix + "logs");
    std::ofstream(prefix + "nginx.conf") << config;
    BackgroundProcess nginx({"/usr/sbin/nginx", "-p", prefix, "-c", prefix + "nginx.conf", "-g",
                             "daemon off; master_process off; pid " + prefix + "nginx.pid; error_log " + prefix +
                                 "logs/error.log;"},
                            {}, directory.path() + "/nginx.txt");
    INFO(read_file(directory.path() + "/nginx.txt") << read_file(prefix + "logs/error.log"));
    REQUIRE(wait_for_port(proxy_port));

    // Agents of every kind upload through the proxy, and both instances take some.
    // Half a minute inside the apps list's 10-minute error window, so that the two instances'
    // lists, asked for in different seconds, count the same errors.
    const int64_t now = std::time(nullptr);
    for (int minute = 10; minute >= 1; --minute) {
        const int64_t at = now - 60 * minute + 30;
        for (const std::string& upload : {python_upload(at), go_upload(at), node_upload(at), native_crash_upload(at)}) {
            REQUIRE(http_call(proxy_port, agent_call(first.agent_key(), "upload", upload)).status == 200);
        }
    }
    CHECK(stored_uploads(first.port()) > 0);
    CHECK(stored_uploads(second_port) > 0);
    CHECK(stored_uploads(first.port()) + stored_uploads(second_port) == 40);
    // One of them judges them all (the first, which took the judging lease at start): the
    // second's last ones within a judging tick, a second.
    CHECK(scraped(first.port(), "siagent_dashboard_judging") == 1);
    CHECK(scraped(second_port, "siagent_dashboard_judging") == 0);
    double judged = 0;
    for (int i = 0; i < 50 && judged < 40; ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        judged = scraped(first.port(), "siagent_dashboard_uploads_judged_total");
    }
    CHECK(judged == 40);
    CHECK(scraped(second_port, "siagent_dashboard_uploads_judged_total") == 0);
    // One login through the proxy is a session on both; both show the same merged profile.
    UiClient through_proxy(proxy_port);
    REQUIRE(through_proxy.login("admin@localhost", first.password()).status == 200);
    UiClient on_first = through_proxy.on_port(first.port());
    UiClient on_second = through_proxy.on_port(second_port);
    const HttpReply apps = on_first.get("/api/apps");
    REQUIRE(apps.status == 200);
    CHECK(on_second.get("/api/apps").body == apps.body);
    std::string shop;
    const auto listed = parse_json(apps.body);  // named: a temporary would end before the loop
    REQUIRE(listed.IsObject());
    REQUIRE(listed.HasMember("apps"));
    for (const auto& app : listed["apps"].GetArray()) {
        if (std::string(app["name"].GetString()) == "py-shop") shop = std::to_string(app["id"].GetInt64());
    }
    REQUIRE_FALSE(shop.empty());
    const std::string profile = "/api/apps/" + shop + "/profile?kind=cpu&from=" + std::to_string(now - 3600) +
                                "&to=" + std::to_string(now + 60);
    const HttpReply merged = on_first.get(profile);
    REQUIRE(merged.status == 200);
    CHECK(parse_json(merged.body)["reports"].GetInt() == 10);
    CHECK(on_second.get(profile).body == merged.body);
    // A state change made on one instance is seen on the other (the session's CSRF token too).
    const int added = on_second.post("/api/account/keys", R"({"name": "made on the second"})").status;
    REQUIRE((added == 200 || added == 201));
    CHECK(on_first.get("/api/account").body.find("made on the second") != std::string::npos);

    // Under load through the proxy, the second instance is killed: every upload that was
    // answered 200 is in the database; the first instance goes on taking them.
    std::atomic<int64_t> next_time{now - 7200};
    std::atomic<bool> killed{false};
    std::mutex acknowledged_mutex;
    std::set<int64_t> acknowledged;
    std::atomic<int> after_kill{0}, refused{0};
    const auto end = Clock::now() + std::chrono::seconds(4);
    auto load = [&] {
        while (Clock::now() < end) {
            const int64_t time = next_time++;
            std::string body = python_upload(time);
            body = std::regex_replace(body, std::regex("py-shop"), "under-kill");
            const int status = http_call(proxy_port, agent_call(first.agent_key(), "upload", body)).status;
            if (status != 200) {
                ++refused;
                continue;
            }
            after_kill += killed.load();
            std::lock_guard lock(acknowledged_mutex);
            acknowledged.insert(time);
        }
    };
    std::thread client_a(load), client_b(load);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    second->stop(SIGKILL, 5);
    killed = true;
    client_a.join();
    client_b.join();
    const std::set<int64_t> stored = stored_times(database_url(first.store_flags()), "under-kill");
    std::vector<int64_t> lost;
    for (int64_t time : acknowledged) {
        if (stored.count(time) == 0) lost.push_back(time);
    }
    INFO(acknowledged.size() << " acknowledged, " << refused << " not (the agent would send them again), "
                             << after_kill << " acknowledged after the kill");
    CHECK(acknowledged.size() > 20);
    CHECK(after_kill > 10);
    CHECK(lost.empty());
}

TEST_CASE("instances: behind a trusted proxy each client's failed logins count apart, and cookies are Secure "
          "when the public URL is https",
          "[api][instances][proxy]") {
    DashboardServer server({"--trusted-proxy", "127.0.0.1", "--public-url", "https://siagent.example.com"});
    auto login_from = [&](const std::string& address, const std::string& password) {
        HttpCall call{"POST", "/api/login",
                      R"({"email": "admin@localhost", "password": ")" + password + "\"}",
                      {{"Content-Type", "application/json"}, {"X-Forwarded-For", address}}, false};
        return http_call(server.port(), call);
    };
    int status = 0;
    for (int attempt = 0; attempt < 10 && status != 429; ++attempt) status = login_from("203.0.113.7", "wrong").status;
    CHECK(status == 429);  // that client is limited...
    HttpReply other = login_from("198.51.100.2", server.password());
    CHECK(other.status == 200);  // ...another behind the same proxy is not
    CHECK(other.headers["set-cookie"].find("; Secure") != std::string::npos);
    // The client's own X-Forwarded-For entry, left of the proxy's, changes nothing.
    CHECK(login_from("198.51.100.2, 203.0.113.7", server.password()).status == 429);
}

// Judging across instances: uploads of one series land on both instances, but one judge
// (the holder of the judging lease) sees them all in order. A spike sent to both instances
// (an agent sending again an upload whose answer it did not get) is one anomaly and one
// webhook call, not two. When the judging instance stops, the other takes over with the
// saved detectors and flags the next anomaly without warming up again.
TEST_CASE("instances: a metric spike is one anomaly and one webhook call; the judge fails over warm",
          "[api][instances][judging]") {
    if (!postgres_cluster()) {
        WARN("several instances share a PostgreSQL database: this test runs under scripts/with-postgres");
        return;
    }
    TestDashboard hook;
    const std::vector<std::string> flags = {"--webhook-allow-host", "127.0.0.1", "--notify-cooldown", "1s"};
    DashboardServer first(flags);  // started first: it takes the judging lease
    TemporaryDirectory directory;
    const int second_port = free_loopback_port();
    std::vector<std::string> argv = {dashboard_binary(), "--listen", "127.0.0.1:" + std::to_string(second_port)};
    for (const std::string& flag : first.store_flags()) argv.push_back(flag);
    argv.insert(argv.end(), flags.begin(), flags.end());
    BackgroundProcess second(argv, {}, directory.path() + "/second.txt");
    REQUIRE(wait_for_port(second_port));
    INFO(first.output() << read_file(directory.path() + "/second.txt"));

    UiClient owner(first.port());
    REQUIRE(owner.login("admin@localhost", first.password()).status == 200);
    HttpReply added = owner.post("/api/account/webhooks",
                                 R"({"name": "ops", "format": "json", "url": ")" + hook.address() + R"(/hooks/x"})");
    REQUIRE(added.status == 201);

    // 400 steady points in eight uploads, alternating instances; then the spike to both.
    constexpr int64_t kStep = 300;
    const int64_t now = std::time(nullptr);
    const int64_t start = now - 700 * kStep;
    Noise noise;
    using Points = std::vector<std::pair<int64_t, double>>;
    auto points = [&](int64_t from, int count, std::optional<double> spike) {
        Points out;
        for (int i = 0; i < count; ++i) out.emplace_back(from + i * kStep, 1e8 * (1 + 0.01 * noise.next()));
        if (spike) out.front().second = *spike;
        return out;
    };
    auto upload = [&](int port, const Points& upload_points) {
        const std::string body = native_state_upload("judged", "memory", "Current RSS", "byte", upload_points);
        REQUIRE(http_call(port, agent_call(first.agent_key(), "upload", body)).status == 200);
    };
    for (int part = 0; part < 8; ++part) upload(part % 2 ? second_port : first.port(), points(start + part * 50 * kStep, 50, {}));
    const Points spike = points(start + 400 * kStep, 10, 5e8);
    upload(second_port, spike);
    upload(first.port(), spike);

    auto anomaly_times = [&] {
        const auto apps = parse_json(owner.get("/api/apps").body);
        REQUIRE(apps["apps"].Size() == 1);
        const auto listed = parse_json(owner.get("/api/apps/" + std::to_string(apps["apps"][0]["id"].GetInt64()) +
                                                 "/anomalies?from=" + std::to_string(start) + "&to=" +
                                                 std::to_string(now + 60)).body);
        std::multiset<int64_t> times;
        for (const auto& anomaly : listed["anomalies"].GetArray()) times.insert(anomaly["time"].GetInt64());
        return times;
    };
    REQUIRE(hook.wait_until([](const auto& requests) { return requests.size() >= 1; }, std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::seconds(3));  // past a judging tick of either instance
    CHECK(anomaly_times() == std::multiset<int64_t>{start + 400 * kStep});
    CHECK(hook.requests().size() == 1);

    // The judge stops (its detectors saved); whichever instance takes the lease next (the
    // second within about a second, or the first again as it restarts) loads the series'
    // detector and flags the next anomaly, a dip 150 points later (a second spike of the
    // same shape would be the series' routine: detector.h).
    first.restart(SIGTERM);
    for (int part = 0; part < 3; ++part) upload(second_port, points(start + (410 + part * 50) * kStep, 50, {}));
    upload(second_port, points(start + 560 * kStep, 10, 1e7));
    REQUIRE(hook.wait_until([](const auto& requests) { return requests.size() >= 2; }, std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::seconds(3));
    CHECK(anomaly_times() == std::multiset<int64_t>{start + 400 * kStep, start + 560 * kStep});
    CHECK(hook.requests().size() == 2);
}
