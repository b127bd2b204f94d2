#include "dashboard/server/command_line.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard;

namespace {

Result<Command> parse(std::vector<const char*> words) {
    words.insert(words.begin(), "siagent-dashboard");
    return parse_command_line(static_cast<int>(words.size()), words.data());
}

}  // namespace

TEST_CASE("durations", "[dashboard][cli]") {
    CHECK(parse_duration("7d") == 7 * 86400);
    CHECK(parse_duration("12h") == 12 * 3600);
    CHECK(parse_duration("30m") == 1800);
    CHECK(parse_duration("45s") == 45);
    CHECK(parse_duration("90") == 90);
    CHECK_FALSE(parse_duration("0d"));
    CHECK_FALSE(parse_duration("-1h"));
    CHECK_FALSE(parse_duration("1w"));
    CHECK_FALSE(parse_duration(""));
}

TEST_CASE("serve options", "[dashboard][cli]") {
    auto command = parse({"--listen", "0.0.0.0:9090", "--data", "/tmp/d", "--retention", "2d", "--web", "/w"});
    REQUIRE(command);
    CHECK(command->kind == Command::Kind::serve);
    CHECK(command->serve.host == "0.0.0.0");
    CHECK(command->serve.port == 9090);
    CHECK(command->serve.retention_seconds == 2 * 86400);
    CHECK(command->serve.web == std::filesystem::path("/w"));
    CHECK_FALSE(parse({"--listen", "127.0.0.1:8080"}));                       // no --data
    CHECK_FALSE(parse({"--data", "d", "--tls-cert", "c"}));                   // cert without key
    CHECK_FALSE(parse({"--data", "d", "--listen", "nowhere"}));
    CHECK_FALSE(parse({"--data", "d", "--bogus", "1"}));
}

TEST_CASE("anomaly rule options: defaults, durations and floors", "[dashboard][cli]") {
    auto defaults = parse({"--data", "d"});
    REQUIRE(defaults);
    CHECK(defaults->serve.anomaly_rules.leak_window == 6 * 3600);
    CHECK(defaults->serve.anomaly_rules.regression_period == 3600);
    CHECK(defaults->serve.anomaly_rules.regression_interval == 600);
    CHECK(defaults->serve.anomaly_rules.error_warmup == 3600);
    auto fast = parse({"--data", "d", "--leak-window", "20s", "--regression-period", "1m", "--regression-interval", "1",
                       "--error-warmup", "3s"});
    REQUIRE(fast);
    CHECK(fast->serve.anomaly_rules.leak_window == 20);
    CHECK(fast->serve.anomaly_rules.regression_period == 60);
    CHECK(fast->serve.anomaly_rules.regression_interval == 1);
    CHECK(fast->serve.anomaly_rules.error_warmup == 3);
    auto too_short = parse({"--data", "d", "--leak-window", "5s"});
    REQUIRE_FALSE(too_short);
    CHECK(too_short.failure().reason.find("--leak-window must be at least 10s") != std::string::npos);
    CHECK_FALSE(parse({"--data", "d", "--regression-period", "9s"}));
    CHECK_FALSE(parse({"--data", "d", "--regression-interval", "0s"}));
    CHECK_FALSE(parse({"--data", "d", "--error-warmup", "soon"}));
}

TEST_CASE("notification options", "[dashboard][cli][notify]") {
    auto defaults = parse({"--data", "d"});
    REQUIRE(defaults);
    CHECK(defaults->serve.public_url.empty());
    CHECK(defaults->serve.notify_cooldown_seconds == 3600);
    CHECK(defaults->serve.notify_retry_seconds == 5);
    auto command = parse({"--data", "d", "--public-url", "https://dash.example/", "--webhook-ca", "/etc/ca.pem",
                          "--notify-cooldown", "30m", "--notify-retry", "1s"});
    REQUIRE(command);
    CHECK(command->serve.public_url == "https://dash.example/");
    CHECK(command->serve.webhook_ca == std::filesystem::path("/etc/ca.pem"));
    CHECK(command->serve.notify_cooldown_seconds == 1800);
    CHECK(command->serve.notify_retry_seconds == 1);
    CHECK_FALSE(parse({"--data", "d", "--public-url", "dash.example"}));
    CHECK_FALSE(parse({"--data", "d", "--notify-retry", "0s"}));
}

TEST_CASE("user add", "[dashboard][cli]") {
    auto command = parse({"user", "add", "--data", "d", "--email", "e@x", "--role", "viewer", "--account", "acme"});
    REQUIRE(command);
    CHECK(command->kind == Command::Kind::user_add);
    CHECK(command->user.account == "acme");
    CHECK(command->user.role == "viewer");
    CHECK_FALSE(parse({"user", "add", "--data", "d", "--email", "e@x"}));
    auto on_postgres = parse({"user", "add", "--database", "postgresql://db/siagent", "--email", "e@x", "--role", "owner"});
    REQUIRE(on_postgres);
    CHECK(on_postgres->user.database == "postgresql://db/siagent");
    CHECK_FALSE(parse({"user", "add", "--email", "e@x", "--role", "owner"}));  // no store
}

TEST_CASE("migrate options", "[dashboard][cli]") {
    auto command = parse({"migrate", "--from", "/var/lib/siagent", "--to", "postgresql://db/siagent"});
    REQUIRE(command);
    CHECK(command->kind == Command::Kind::migrate);
    CHECK(command->migrate.from == std::filesystem::path("/var/lib/siagent"));
    CHECK(command->migrate.to == "postgresql://db/siagent");
    CHECK_FALSE(parse({"migrate", "--from", "d"}));
    CHECK_FALSE(parse({"migrate", "--from", "d", "--to", "sqlite:///x"}));
    CHECK_FALSE(parse({"migrate", "--from", "d", "--to", "postgresql://db/x", "--data", "d"}));
}

TEST_CASE("--database names a PostgreSQL store; the data directory stays required", "[dashboard][cli]") {
    auto command = parse({"--data", "d", "--database", "postgres://u@db:5433/siagent?sslmode=require"});
    REQUIRE(command);
    CHECK(command->serve.database == "postgres://u@db:5433/siagent?sslmode=require");
    CHECK(parse({"--data", "d"})->serve.database.empty());  // SQLite in d
    CHECK_FALSE(parse({"--data", "d", "--database", "mysql://db/x"}));
    CHECK_FALSE(parse({"--data", "d", "--database", "host=db dbname=x"}));
    CHECK_FALSE(parse({"--database", "postgresql://db/x"}));  // the webhook key lives in --data
}

TEST_CASE("anomalies options", "[dashboard][cli]") {
    auto command = parse({"anomalies", "--csv", "series.csv", "--threshold", "0.95"});
    REQUIRE(command);
    CHECK(command->kind == Command::Kind::anomalies);
    CHECK(command->anomalies.csv == std::filesystem::path("series.csv"));
    CHECK(command->anomalies.threshold == 0.95);
    CHECK(parse({"anomalies", "--csv", "-"}));
    CHECK_FALSE(parse({"anomalies"}));                                  // no --csv
    CHECK_FALSE(parse({"anomalies", "--csv", "f", "--threshold", "1.5"}));
    CHECK_FALSE(parse({"anomalies", "--csv", "f", "--threshold", "x"}));
    CHECK_FALSE(parse({"anomalies", "--csv", "f", "--data", "d"}));
}

TEST_CASE("operating options: the metrics token file and trusted proxies", "[dashboard][cli]") {
    auto command = parse({"--data", "d", "--metrics-token-file", "/etc/siagent/metrics.token", "--trusted-proxy",
                          "127.0.0.1,::1"});
    REQUIRE(command);
    CHECK(command->serve.metrics_token_file == "/etc/siagent/metrics.token");
    CHECK(command->serve.trusted_proxies == std::set<std::string>{"127.0.0.1", "::1"});
    CHECK(parse({"--data", "d"})->serve.metrics_token_file.empty());
    CHECK_FALSE(parse({"--data", "d", "--trusted-proxy", "proxy.example.com"}));  // addresses only
    CHECK_FALSE(parse({"--data", "d", "--trusted-proxy", "127.0.0.1,"}));
}
