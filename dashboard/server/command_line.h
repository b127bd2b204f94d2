// The command line of siagent-dashboard:
//   siagent-dashboard --data DIR [--database postgresql://...] [--listen HOST:PORT] [--web DIR] [--tls-cert F --tls-key F]
//                     [--retention 7d] [--retention-check 1h] [--activation-window 5m] [--threads 2]
//                     [--leak-window 6h] [--regression-period 1h] [--regression-interval 10m]
//                     [--error-warmup 1h]
//                     [--public-url URL] [--webhook-ca FILE] [--notify-cooldown 1h] [--notify-retry 5s]
//                     [--metrics-token-file FILE] [--trusted-proxy ADDRESS[,ADDRESS...]]
//   siagent-dashboard user add --data DIR | --database URL --email E --role owner|member|viewer [--account NAME]
//   siagent-dashboard anomalies --csv FILE [--threshold 0.9]
//   siagent-dashboard migrate --from DIR --to postgresql://...
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "dashboard/server/anomaly/rule_settings.h"
#include "dashboard/server/result.h"

namespace siagent::dashboard {

struct ServeOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;
    std::filesystem::path data;  // the SQLite file and the webhook key
    std::string database;        // postgresql://...: the store there instead of SQLite in `data`
    std::optional<std::filesystem::path> web;  // unset: the build's web output, if present
    std::filesystem::path tls_cert, tls_key;
    int64_t retention_seconds = 7 * 86400;
    int64_t retention_check_seconds = 3600;
    int64_t activation_window_seconds = 300;
    int64_t live_process_seconds = 150;
    int threads = 2;
    anomaly::RuleSettings anomaly_rules;
    std::string public_url;                  // empty: the listening address
    std::filesystem::path webhook_ca;        // extra CAs for https webhooks
    std::set<std::string> webhook_allowed_hosts;  // may be internal addresses (destination_policy.h)
    int64_t notify_cooldown_seconds = 3600;  // one notification per rule per quiet period
    int64_t notify_retry_seconds = 5;        // first retry of a failed notification, doubling
    std::filesystem::path metrics_token_file;  // the token /metrics wants; empty: no /metrics
    std::set<std::string> trusted_proxies;     // peers whose X-Forwarded-For is believed
};

struct UserAddOptions {
    std::filesystem::path data;
    std::string database;  // as ServeOptions::database
    std::string email;
    std::string role;
    std::string account = "default";
};

struct AnomaliesOptions {
    std::filesystem::path csv;  // "-": standard input
    std::optional<double> threshold;
};

// Copies the SQLite store of `from` (DIR/siagent.db) into the empty PostgreSQL database `to`.
struct MigrateOptions {
    std::filesystem::path from;
    std::string to;
};

struct Command {
    enum class Kind { serve, user_add, anomalies, migrate, help } kind = Kind::serve;
    ServeOptions serve;
    UserAddOptions user;
    AnomaliesOptions anomalies;
    MigrateOptions migrate;
};

Result<Command> parse_command_line(int argc, const char* const* argv);

// "90" (seconds), "45s", "30m", "12h", "7d"; nullopt when malformed or not positive.
std::optional<int64_t> parse_duration(std::string_view text);

extern const char* const kUsage;

}  // namespace siagent::dashboard
