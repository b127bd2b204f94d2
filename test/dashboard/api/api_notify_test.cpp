// Webhook notifications end to end: a real siagent-dashboard, a local HTTP(S) receiver
// (TestDashboard), metric series with spikes uploaded through the agent API. Checks: one POST
// per incident (two anomalies of a rule within the cooldown → one), the payload, a muted rule
// sends nothing, a 500 is retried until it is delivered, https is verified, and the URL
// (a secret) is answered masked and appears in no log line and nowhere in the database file.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"
#include "test/dashboard/api/metrics_scrape.h"
#include "test/support/test_dashboard.h"

using namespace siagent::testing;

namespace {

constexpr int64_t kStep = 300;     // 5-minute points
constexpr int kWarm = 400;         // past the detector's warm-up of 288 steps
constexpr auto kWait = std::chrono::seconds(30);
const std::string kSecret = "T0001/B0002/secret-path-WXYZ";

using Points = std::vector<std::pair<int64_t, double>>;

// `count` noisy points around `level` from `first`, one a step, with `spikes` (index → value).
Points series(int64_t first, int count, double level, const std::map<int, double>& spikes = {}) {
    Noise noise;
    Points points;
    for (int i = 0; i < count; ++i) {
        auto spike = spikes.find(i);
        points.emplace_back(first + i * kStep, spike != spikes.end() ? spike->second : level * (1 + 0.01 * noise.next()));
    }
    return points;
}

void upload(const DashboardServer& server, const std::string& app, const std::string& category, const std::string& name,
            const Points& points) {
    auto body = native_state_upload(app, category, name, "", points);
    REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", body)).status == 200);
}

size_t posts_naming(const std::vector<ReceivedRequest>& requests, const std::string& text) {
    size_t count = 0;
    for (const ReceivedRequest& request : requests) count += request.body.find(text) != std::string::npos;
    return count;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every file of the data directory (database, WAL, key) as one string of bytes.
std::string data_bytes(const DashboardServer& server) {
    std::string bytes;
    for (const auto& entry : std::filesystem::directory_iterator(server.data_dir())) bytes += file_text(entry.path());
    return bytes;
}

constexpr char kMetricsToken[] = "notify-metrics-token-0123456789";

// The webhook outbox's depth in /metrics (REQUIREd present).
double webhook_outbox(const DashboardServer& server) {
    auto samples = parse_exposition(http_call(server.port(), scrape(kMetricsToken)).body);
    REQUIRE(samples.count("siagent_dashboard_webhook_outbox{}") == 1);
    return samples["siagent_dashboard_webhook_outbox{}"];
}

std::string add_webhook(UiClient& client, const std::string& url, const std::string& format = "json") {
    HttpReply reply = client.post("/api/account/webhooks",
                                  R"({"name": "ops", "format": ")" + format + R"(", "url": ")" + url + R"("})");
    INFO(reply.body);
    REQUIRE(reply.status == 201);
    CHECK(reply.body.find("secret-path") == std::string::npos);
    return std::to_string(parse_json(reply.body)["id"].GetInt64());
}

std::string only_app_id(UiClient& client) {
    auto apps = parse_json(client.get("/api/apps").body);
    REQUIRE(apps["apps"].Size() == 1);
    return std::to_string(apps["apps"][0]["id"].GetInt64());
}

// The first webhook's last delivery outcome, polled (for up to 10 s) until it holds `expected`:
// it is noted just after the receiver's answer is read.
std::string wait_for_outcome(UiClient& client, const std::string& expected) {
    std::string outcome;
    for (int i = 0; i < 200 && outcome.find(expected) == std::string::npos; ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto listed = parse_json(client.get("/api/account/webhooks").body);
        const auto& delivery = listed["webhooks"][0]["delivery"];
        outcome = delivery.IsObject() ? delivery["outcome"].GetString() : "";
    }
    return outcome;
}

// Polls what the server printed (for up to 30 s) until it holds `text`.
bool wait_for_output(const DashboardServer& server, const std::string& text) {
    for (int i = 0; i < 600; ++i) {
        if (server.output().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace

TEST_CASE("api: one webhook POST per incident, none for a muted rule, the url never shown or logged",
          "[api][notify]") {
    TestDashboard hook;
    DashboardServer server({"--public-url", "https://dash.example/", "--notify-retry", "1s", "--webhook-allow-host", "127.0.0.1"});
    UiClient owner(server.port());
    REQUIRE(owner.login("admin@localhost", server.password()).status == 200);

    // Bad webhooks are refused, and the reason does not echo the URL.
    for (const std::string& bad : {std::string("ftp://127.0.0.1/secret-path"), std::string("http://u:p@h/secret-path"),
                                   "http://h/" + std::string(3000, 'a')}) {
        HttpReply reply = owner.post("/api/account/webhooks", R"({"name": "x", "url": ")" + bad + R"("})");
        CHECK(reply.status == 400);
        CHECK(reply.body.find("secret-path") == std::string::npos);
    }
    CHECK(owner.post("/api/account/webhooks", R"({"url": "http://h/x", "format": "xml"})").status == 400);
    CHECK(owner.send_without_csrf("POST", "/api/account/webhooks", R"({"url": "http://h/x"})").status == 403);

    const std::string url = hook.address() + "/hooks/" + kSecret;
    add_webhook(owner, url);
    const std::string masked = hook.address() + "/…WXYZ";
    HttpReply listed = owner.get("/api/account/webhooks");
    REQUIRE(listed.status == 200);
    CHECK(listed.body.find("secret-path") == std::string::npos);
    CHECK(std::string(parse_json(listed.body)["webhooks"][0]["url"].GetString()) == masked);

    // Members and viewers read the masked list, but only owners add; other accounts see nothing.
    const std::string member_password = server.add_user("member@localhost", "member", "default");
    UiClient member(server.port());
    REQUIRE(member.login("member@localhost", member_password).status == 200);
    CHECK(parse_json(member.get("/api/account/webhooks").body)["webhooks"].Size() == 1);
    CHECK(member.post("/api/account/webhooks", R"({"url": "http://h/x"})").status == 403);
    const std::string other_password = server.add_user("owner@b", "owner", "b-corp");
    UiClient other(server.port());
    REQUIRE(other.login("owner@b", other_password).status == 200);
    CHECK(parse_json(other.get("/api/account/webhooks").body)["webhooks"].Size() == 0);
    CHECK(other.post("/api/account/webhooks/1/test", "").status == 404);
    CHECK(other.del("/api/account/webhooks/1").status == 404);

    // Three series warm up; then Heap in use is turned off for every host.
    const int64_t now = std::time(nullptr);
    const int64_t first = now - (kWarm + 170) * kStep;
    const int64_t spikes_from = first + kWarm * kStep;
    upload(server, "shop", "memory", "Current RSS", series(first, kWarm, 1e8));
    upload(server, "shop", "memory", "Heap in use", series(first, kWarm, 5e7));
    upload(server, "shop", "runtime", "Active threads", series(first, kWarm, 40));
    const std::string app = only_app_id(owner);
    const std::string rules = "/api/apps/" + app + "/rules";
    CHECK(owner.post(rules, R"({"kind": "metric", "category": "memory", "name": "Heap in use", "until": 1})").status == 400);
    CHECK(member.post(rules, R"({"kind": "metric", "category": "memory", "name": "Heap in use", "until": null})").status ==
          201);
    CHECK(parse_json(owner.get(rules).body)["rules"].Size() == 1);
    CHECK(other.get(rules).status == 404);
    const std::string viewer_password = server.add_user("viewer@localhost", "viewer", "default");
    UiClient viewer(server.port());
    REQUIRE(viewer.login("viewer@localhost", viewer_password).status == 200);
    CHECK(parse_json(viewer.get(rules).body)["rules"].Size() == 1);
    CHECK(viewer.post(rules, R"({"kind": "metric", "category": "cpu", "name": "x", "until": null})").status == 403);
    // A second rule, muted for an hour, then turned back on: it mutes nothing.
    HttpReply threads_rule = owner.post(rules, R"({"kind": "metric", "category": "runtime", "name": "Active threads",
        "host": "h", "until": )" + std::to_string(std::time(nullptr) + 3600) + "}");
    REQUIRE(threads_rule.status == 201);
    const std::string threads_rule_id = std::to_string(parse_json(threads_rule.body)["id"].GetInt64());
    CHECK(viewer.del(rules + "/" + threads_rule_id).status == 403);
    CHECK(owner.send_without_csrf("DELETE", rules + "/" + threads_rule_id, "").status == 403);
    CHECK(owner.del(rules + "/" + threads_rule_id).status == 204);
    CHECK(owner.del(rules + "/" + threads_rule_id).status == 404);

    // Current RSS: two spikes 150 points apart, past the detector's refractory period of 125
    // points (two episodes, two anomalies: one incident).
    upload(server, "shop", "memory", "Current RSS", series(spikes_from, 160, 1e8, {{0, 5e8}, {150, 5e8}}));
    upload(server, "shop", "memory", "Heap in use", series(spikes_from, 10, 5e7, {{0, 4e8}}));
    upload(server, "shop", "runtime", "Active threads", series(spikes_from, 10, 40, {{0, 400}}));
    // Each incident is decided when its anomaly is recorded, before the upload is answered:
    // once the last upload's notification is in, any extra one of the first would be queued.
    const bool both = hook.wait_until([](const auto& requests) {
        return posts_naming(requests, "Active threads") == 1 && posts_naming(requests, "Current RSS") >= 1;
    }, kWait);
    INFO(server.output());
    REQUIRE(both);
    const auto requests = hook.requests();
    CHECK(posts_naming(requests, "Current RSS") == 1);
    CHECK(posts_naming(requests, "Heap in use") == 0);
    CHECK(requests.size() == 2);

    const std::string list = "/api/apps/" + app + "/anomalies?from=" + std::to_string(first) + "&to=" + std::to_string(now);
    auto anomalies = parse_json(owner.get(list).body);
    int rss = 0, heap_muted = 0;
    for (const auto& a : anomalies["anomalies"].GetArray()) {
        const std::string name = a["name"].GetString();
        rss += name == "Current RSS";
        if (name == "Heap in use" && a["muted"].GetBool() && a["rule"].IsObject() && a["rule"]["until"].IsNull()) ++heap_muted;
    }
    CHECK(rss == 2);
    CHECK(heap_muted == 1);
    CHECK(parse_json(owner.get("/api/apps").body)["apps"][0]["anomalies_open"].GetInt64() == 3);

    // The payload of the RSS incident: its first anomaly.
    const ReceivedRequest* post = nullptr;
    for (const auto& request : requests) if (request.body.find("Current RSS") != std::string::npos) post = &request;
    REQUIRE(post != nullptr);
    CHECK(post->method == "POST");
    CHECK(post->target == "/hooks/" + kSecret);
    CHECK(post->headers.at("content-type") == "application/json");
    CHECK(post->headers.count("content-encoding") == 0);
    auto payload = parse_json(post->body);
    INFO(post->body);
    CHECK(std::string(payload["event"].GetString()) == "anomaly");
    CHECK(std::string(payload["app"]["name"].GetString()) == "shop");
    CHECK(std::to_string(payload["app"]["id"].GetInt64()) == app);
    CHECK(std::string(payload["kind"].GetString()) == "metric");
    CHECK(std::string(payload["series"]["category"].GetString()) == "memory");
    CHECK(std::string(payload["series"]["host"].GetString()) == "h");
    CHECK(std::string(payload["series"]["environment"].GetString()) == "prod");
    CHECK(payload["time"].GetInt64() == spikes_from);
    CHECK(payload["value"].GetDouble() == Approx(5e8));
    CHECK(payload["score"].GetDouble() >= 0.9);
    CHECK(std::string(payload["message"].GetString()).find("Current RSS") != std::string::npos);
    CHECK(std::string(payload["link"].GetString()).rfind("https://dash.example/#/apps/" + app + "/anomalies?", 0) == 0);

    // The URL is sealed at rest under a private key file, and never logged.
    struct stat key {};
    REQUIRE(::stat((server.data_dir() + "/webhook.key").c_str(), &key) == 0);
    CHECK((key.st_mode & 0777) == 0600);
    CHECK(data_bytes(server).find("secret-path") == std::string::npos);
    CHECK(server.output().find("secret-path") == std::string::npos);
}

TEST_CASE("api: a webhook answering 500 is retried until it is delivered; test messages", "[api][notify]") {
    TestDashboard hook;
    hook.set_mode(ServerMode::error500);
    TemporaryDirectory tokens;
    std::ofstream(tokens.path() + "/metrics.token") << kMetricsToken;
    DashboardServer server({"--notify-retry", "2s", "--webhook-allow-host", "127.0.0.1", "--metrics-token-file",
                            tokens.path() + "/metrics.token"});
    UiClient owner(server.port());
    REQUIRE(owner.login("admin@localhost", server.password()).status == 200);
    const std::string id = add_webhook(owner, hook.address() + "/hooks/" + kSecret);
    CHECK(webhook_outbox(server) == 0);

    const int64_t first = std::time(nullptr) - (kWarm + 20) * kStep;
    upload(server, "shop", "memory", "Current RSS", series(first, kWarm, 1e8));
    upload(server, "shop", "memory", "Current RSS", series(first + kWarm * kStep, 5, 1e8, {{0, 5e8}}));
    REQUIRE(hook.wait_until([](const auto& requests) { return requests.size() >= 1; }, kWait));
    // The receiver records a request before it answers: switch it back only once the
    // dashboard has seen the 500.
    REQUIRE(wait_for_output(server, "HTTP 500; retry 1 of 5 in 2 s"));  // the log says why; the UI does not
    CHECK(wait_for_outcome(owner, "failed; retry 1 of 5 in 2 s") == "failed; retry 1 of 5 in 2 s");
    // The retry waits in the database's outbox, which /metrics counts for every instance.
    CHECK(webhook_outbox(server) == 1);
    hook.set_mode(ServerMode::normal);
    REQUIRE(hook.wait_until([](const auto& requests) { return requests.size() >= 2; }, kWait));
    auto requests = hook.requests();
    CHECK(requests[0].body == requests[1].body);
    CHECK(requests[1].body.find("Current RSS") != std::string::npos);
    // The outcome is noted just after the answer is read: poll for it briefly.
    CHECK(wait_for_outcome(owner, "delivered") == "delivered");
    CHECK(parse_json(owner.get("/api/account/webhooks").body)["webhooks"][0]["delivery"]["delivered"].GetInt64() == 1);
    CHECK(webhook_outbox(server) == 0);

    // "Send test" reaches the same endpoint; without --public-url its link is the origin the
    // owner's browser used; a deleted webhook receives nothing more.
    HttpCall test{"POST", "/api/account/webhooks/" + id + "/test", "",
                  {{"Cookie", owner.cookie()}, {"X-CSRF-Token", owner.csrf()}, {"Host", "dash.internal:8443"}}};
    CHECK(http_call(server.port(), test).status == 202);
    REQUIRE(hook.wait_until([](const auto& requests) { return posts_naming(requests, R"("event":"test")") == 1; }, kWait));
    CHECK(posts_naming(hook.requests(), R"("link":"http://dash.internal:8443/")") == 1);
    CHECK(owner.del("/api/account/webhooks/" + id).status == 204);
    CHECK(owner.post("/api/account/webhooks/" + id + "/test", "").status == 404);
    CHECK(server.output().find("secret-path") == std::string::npos);
}

TEST_CASE("api: a retry pending when the dashboard is killed is delivered by the restarted dashboard",
          "[api][notify]") {
    TestDashboard hook;
    hook.set_mode(ServerMode::error500);
    DashboardServer server({"--notify-retry", "2s", "--webhook-allow-host", "127.0.0.1"});
    UiClient owner(server.port());
    REQUIRE(owner.login("admin@localhost", server.password()).status == 200);
    add_webhook(owner, hook.address() + "/hooks/" + kSecret);

    const int64_t first = std::time(nullptr) - (kWarm + 20) * kStep;
    upload(server, "shop", "memory", "Current RSS", series(first, kWarm, 1e8));
    upload(server, "shop", "memory", "Current RSS", series(first + kWarm * kStep, 5, 1e8, {{0, 5e8}}));
    REQUIRE(hook.wait_until([](const auto& requests) { return requests.size() >= 1; }, kWait));
    // The retry is in the outbox before the log says so; then the dashboard dies (kill -9),
    // and the one started on the same store sends it when it is due, once.
    REQUIRE(wait_for_output(server, "HTTP 500; retry 1 of 5 in 2 s"));
    hook.set_mode(ServerMode::normal);
    server.restart(SIGKILL);
    REQUIRE(hook.wait_until([](const auto& requests) { return requests.size() >= 2; }, kWait));
    std::this_thread::sleep_for(std::chrono::seconds(3));  // a second copy would come within this
    auto requests = hook.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].body == requests[1].body);
    UiClient again(server.port());
    REQUIRE(again.login("admin@localhost", server.password()).status == 200);
    CHECK(wait_for_outcome(again, "delivered") == "delivered");
}

TEST_CASE("api: https webhooks are verified; --webhook-ca trusts a local CA; slack format", "[api][notify]") {
    TestCertificateAuthority authority;
    CertificateRequest request;
    request.ip_addresses = {"127.0.0.1"};
    const TestCertificate certificate = authority.issue(request);
    TestDashboard hook(&certificate);
    TemporaryDirectory directory;
    const std::string ca_file = directory.path() + "/ca.pem";
    std::ofstream(ca_file) << authority.certificate_pem();

    // Without the CA the handshake fails (no retry makes it succeed); with it, delivered.
    DashboardServer untrusting({"--notify-retry", "1s", "--webhook-allow-host", "127.0.0.1"});
    UiClient a(untrusting.port());
    REQUIRE(a.login("admin@localhost", untrusting.password()).status == 200);
    const std::string untrusted_id = add_webhook(a, hook.address() + "/hooks/" + kSecret, "slack");
    CHECK(a.post("/api/account/webhooks/" + untrusted_id + "/test", "").status == 202);

    DashboardServer trusting({"--webhook-ca", ca_file, "--webhook-allow-host", "127.0.0.1"});
    UiClient b(trusting.port());
    REQUIRE(b.login("admin@localhost", trusting.password()).status == 200);
    const std::string id = add_webhook(b, hook.address() + "/hooks/" + kSecret, "slack");
    CHECK(b.post("/api/account/webhooks/" + id + "/test", "").status == 202);
    REQUIRE(hook.wait_until([](const auto& requests) { return requests.size() == 1; }, kWait));
    auto payload = parse_json(hook.requests()[0].body);
    REQUIRE(payload.IsObject());
    CHECK(payload.MemberCount() == 1);
    CHECK(std::string(payload["text"].GetString()).find("siagent test notification") != std::string::npos);

    const std::string outcome = wait_for_outcome(a, "failed");
    CHECK(outcome.rfind("failed", 0) == 0);
    CHECK(outcome.find("TLS") == std::string::npos);  // the UI says failed; the log says why
    CHECK(wait_for_output(untrusting, "TLS handshake failed"));
    CHECK(hook.requests().size() == 1);  // the untrusting server never got a request through
}

TEST_CASE("api: webhooks to internal addresses are refused unless allowed, with no status oracle", "[api][notify]") {
    TestDashboard hook;  // on 127.0.0.1
    DashboardServer server;
    UiClient owner(server.port());
    REQUIRE(owner.login("admin@localhost", server.password()).status == 200);
    const std::string id = add_webhook(owner, hook.address() + "/hooks/" + kSecret);
    CHECK(owner.post("/api/account/webhooks/" + id + "/test", "").status == 202);
    CHECK(wait_for_outcome(owner, "failed") == "failed after 1 attempt(s)");
    CHECK(wait_for_output(server, "destination not allowed"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(hook.requests().empty());
    // A closed port on loopback reads the same as an open one: "failed", nothing more.
    CHECK(owner.del("/api/account/webhooks/" + id).status == 204);
    const std::string closed = add_webhook(owner, "http://127.0.0.1:9/hooks/" + kSecret);
    CHECK(owner.post("/api/account/webhooks/" + closed + "/test", "").status == 202);
    CHECK(wait_for_outcome(owner, "failed") == "failed after 1 attempt(s)");
    const std::string listed = owner.get("/api/account/webhooks").body;
    CHECK(listed.find("refused") == std::string::npos);
    CHECK(listed.find("HTTP") == std::string::npos);
}
