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
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"
#include "test/integration/background_process.h"

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

// uploads_total{outcome="stored"} of the instance on `port`.
double stored_uploads(int port) {
    HttpCall call{"GET", "/metrics", "", {{"Authorization", std::string("Bearer ") + kToken}}, false};
    HttpReply reply = http_call(port, call);
    REQUIRE(reply.status == 200);
    std::smatch match;
    REQUIRE(std::regex_search(reply.body, match, std::regex(R"(siagent_dashboard_uploads_total\{outcome="stored"\} (\d+))")));
    return std::stod(match[1]);
}

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
    const int64_t now = std::time(nullptr);
    for (int minute = 10; minute >= 1; --minute) {
        for (const std::string& upload : {python_upload(now - 60 * minute), go_upload(now - 60 * minute),
                                          node_upload(now - 60 * minute), native_crash_upload(now - 60 * minute)}) {
            REQUIRE(http_call(proxy_port, agent_call(first.agent_key(), "upload", upload)).status == 200);
        }
    }
    CHECK(stored_uploads(first.port()) > 0);
    CHECK(stored_uploads(second_port) > 0);
    CHECK(stored_uploads(first.port()) + stored_uploads(second_port) == 40);

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
