// The Notifier: its retry schedule; and against a local receiver (TestDashboard), incidents
// go out once per rule, the per-account rate bound and the queue bound drop (and count) what
// is over them.
#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>
#include <set>
#include <thread>

#include "dashboard/server/notify/notifier.h"
#include "test/dashboard/storage_fixtures.h"
#include "test/integration/process_runner.h"
#include "test/support/test_dashboard.h"

using namespace siagent::dashboard;
using namespace siagent::dashboard::notify;
using siagent::testing::ReceivedRequest;
using siagent::testing::TemporaryDirectory;
using siagent::testing::TestDashboard;
using std::chrono::milliseconds;

namespace {

// An account with one webhook to `url`, sealed as the server seals it.
struct Account {
    TemporaryDirectory directory;
    siagent::testing::TempDatabase db;
    Storage& storage = db.storage();
    KeyFile key{std::filesystem::path(directory.path()) / "webhook.key"};
    int64_t id = storage.create_account("a", std::time(nullptr)).value();
    int64_t webhook = 0;

    explicit Account(const std::string& url) {
        Webhook hook{0, "hook", "json", key.seal(url, webhook_seal_context(id)).value(), "masked", 0};
        webhook = storage.add_webhook(id, hook, 20).value();
    }
};

AnomalyRow anomaly(const std::string& name) {
    AnomalyRow row;
    row.time = std::time(nullptr);
    row.kind = "metric";
    row.category = "memory";
    row.name = name;
    row.host = "h1";
    row.score = 0.95;
    return row;
}

}  // namespace

TEST_CASE("notifier: one POST per new incident, and at most the rate bound per account", "[dashboard][notify]") {
    TestDashboard receiver;
    Account account(receiver.address() + "/hook");
    NotifierSettings settings;
    settings.max_per_minute = 2;
    settings.destinations = DestinationPolicy({"127.0.0.1"});  // the receiver is on loopback
    Notifier notifier(account.storage, account.key, settings);
    notifier.start();
    const AppRef app{account.id, 1, "shop"};
    // Four rules, one of them twice: three incidents would go out, the bound lets two.
    notifier.recorded(app, {anomaly("a"), anomaly("a"), anomaly("b")});
    notifier.recorded(app, {anomaly("c"), anomaly("d")});
    REQUIRE(receiver.wait_until([](const std::vector<ReceivedRequest>& r) { return r.size() >= 2; },
                                std::chrono::seconds(20)));
    // The drops are decided on the notifier thread before any POST is made: poll briefly.
    for (int i = 0; i < 200 && notifier.dropped() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(notifier.dropped() == 2);  // c and d
    const auto requests = receiver.requests();
    REQUIRE(requests.size() == 2);
    std::set<std::string> names;
    for (const ReceivedRequest& request : requests) {
        for (const char* name : {"a", "b", "c", "d"}) {
            if (request.body.find(std::string(R"("name":")") + name + "\"") != std::string::npos) names.insert(name);
        }
    }
    CHECK(names == std::set<std::string>{"a", "b"});
    auto status = notifier.status(account.webhook);
    REQUIRE(status);
    CHECK(status->dropped == 2);
}

TEST_CASE("notifier: past the queue bound incidents are dropped and counted, not queued", "[dashboard][notify]") {
    Account account("http://127.0.0.1:9/never");
    NotifierSettings settings;
    settings.max_pending = 2;
    Notifier notifier(account.storage, account.key, settings);  // not started: nothing leaves the queue
    const AppRef app{account.id, 1, "shop"};
    notifier.recorded(app, {anomaly("a"), anomaly("b"), anomaly("c"), anomaly("c")});
    CHECK(notifier.dropped() == 1);  // c; its second anomaly joined its (dropped) incident
    CHECK_FALSE(notifier.send_test(account.id + 1, account.webhook));  // another account's webhook
    CHECK(notifier.send_test(account.id, account.webhook));
    CHECK(notifier.dropped() == 2);  // the queue is still full
}

TEST_CASE("notifier: retries after 5, 10, 20, 40 and 80 s by default; the first wait is a knob",
          "[dashboard][notify]") {
    NotifierSettings settings;
    CHECK(retry_schedule(settings) ==
          std::vector<milliseconds>{milliseconds(5000), milliseconds(10000), milliseconds(20000), milliseconds(40000),
                                    milliseconds(80000)});
    settings.first_retry = milliseconds(1000);
    settings.max_attempts = 3;
    CHECK(retry_schedule(settings) == std::vector<milliseconds>{milliseconds(1000), milliseconds(2000)});
    settings.max_attempts = 1;
    CHECK(retry_schedule(settings).empty());
}

TEST_CASE("notifier: internal destinations are refused unless their host is allowed by name", "[dashboard][notify]") {
    using boost::asio::ip::make_address;
    for (const char* internal : {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                                 "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1",
                                 "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
                                 "64:ff9b::a00:1", "ff02::1"}) {
        INFO(internal);
        CHECK(is_internal_address(make_address(internal)));
    }
    for (const char* external : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
                                 "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
        INFO(external);
        CHECK_FALSE(is_internal_address(make_address(external)));
    }
    const DestinationPolicy allowing({"hooks.internal", "127.0.0.1"});
    CHECK(allowing.allows("hooks.internal", make_address("10.0.0.5")));
    CHECK(allowing.allows("127.0.0.1", make_address("127.0.0.1")));
    CHECK_FALSE(allowing.allows("other.internal", make_address("10.0.0.5")));
    CHECK(allowing.allows("example.com", make_address("93.184.216.34")));

    // A webhook on loopback with the default policy: nothing is sent, and the status says
    // only "failed" (no "connection refused" or HTTP status to probe the network with).
    TestDashboard receiver;
    Account account(receiver.address() + "/hook");
    NotifierSettings settings;
    Notifier notifier(account.storage, account.key, settings);
    notifier.start();
    CHECK(notifier.send_test(account.id, account.webhook));
    std::optional<DeliveryStatus> status;
    for (int i = 0; i < 200 && !(status && status->failed > 0); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        status = notifier.status(account.webhook);
    }
    REQUIRE(status);
    CHECK(status->outcome == "failed after 1 attempt(s)");  // not retried
    CHECK(receiver.requests().empty());
}
