#include "dashboard/server/command_line.h"

#include "dashboard/server/http/client_address.h"

#include <charconv>
#include <cstdlib>
#include <map>
#include <vector>

namespace siagent::dashboard {

const char* const kUsage =
    "usage: siagent-dashboard --data DIR [--database postgresql://...] [--listen HOST:PORT]\n"
    "                         [--web DIR]\n"
    "                         [--tls-cert FILE --tls-key FILE] [--retention 7d]\n"
    "                         [--retention-check 1h] [--activation-window 5m] [--live-time 150s]\n"
    "                         [--threads 2]\n"
    "                         [--leak-window 6h] [--regression-period 1h]\n"
    "                         [--regression-interval 10m] [--error-warmup 1h]\n"
    "                         [--public-url URL] [--webhook-ca FILE] [--notify-cooldown 1h]\n"
    "                         [--webhook-allow-host HOST[,HOST...]]\n"
    "                         [--notify-retry 5s] [--metrics-token-file FILE]\n"
    "                         [--trusted-proxy ADDRESS[,ADDRESS...]]\n"
    "       siagent-dashboard user add --data DIR | --database URL --email EMAIL\n"
    "                         --role owner|member|viewer\n"
    "                         [--account NAME]\n"
    "       siagent-dashboard anomalies --csv FILE [--threshold 0.9]\n"
    "       siagent-dashboard migrate --from DIR --to postgresql://...\n";

namespace {

Failure usage_error(const std::string& what) { return Failure{2, what + "\n" + kUsage}; }

// A libpq connection URI; its content (host, user, password) is PostgreSQL's to judge.
std::optional<Failure> read_database(const std::string& value, std::string& database) {
    if (value.rfind("postgresql://", 0) != 0 && value.rfind("postgres://", 0) != 0) {
        return usage_error("--database wants a postgresql://... URL");
    }
    database = value;
    return std::nullopt;
}

std::optional<int64_t> whole(std::string_view text) {
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// --name value pairs; a flag without a value or a repeated one is an error.
Result<std::map<std::string, std::string>> read_flags(const std::vector<std::string_view>& words) {
    std::map<std::string, std::string> flags;
    for (size_t i = 0; i < words.size(); i += 2) {
        if (words[i].substr(0, 2) != "--") return usage_error("unexpected argument " + std::string(words[i]));
        if (i + 1 >= words.size()) return usage_error(std::string(words[i]) + " needs a value");
        if (!flags.emplace(std::string(words[i].substr(2)), std::string(words[i + 1])).second) {
            return usage_error(std::string(words[i]) + " given twice");
        }
    }
    return flags;
}

// "a,b,c" as its items, empty ones included ("a," is "a" and "").
std::vector<std::string> comma_separated(const std::string& value) {
    std::vector<std::string> items;
    for (size_t start = 0; start <= value.size();) {
        const size_t comma = std::min(value.find(',', start), value.size());
        items.push_back(value.substr(start, comma - start));
        start = comma + 1;
    }
    return items;
}

std::optional<Failure> read_listen(const std::string& text, ServeOptions& options) {
    const size_t colon = text.rfind(':');
    auto port = colon == std::string::npos ? std::nullopt : whole(std::string_view(text).substr(colon + 1));
    if (!port || *port < 0 || *port > 65535) return usage_error("--listen wants HOST:PORT");
    options.host = text.substr(0, colon);
    if (options.host.size() > 2 && options.host.front() == '[') options.host = options.host.substr(1, options.host.size() - 2);
    options.port = static_cast<uint16_t>(*port);
    return std::nullopt;
}

std::optional<Failure> check_rule_floors(const anomaly::RuleSettings& rules) {
    using anomaly::RuleSettings;
    const std::pair<const char*, std::pair<int64_t, int64_t>> floors[] = {
        {"leak-window", {rules.leak_window, RuleSettings::kMinLeakWindow}},
        {"regression-period", {rules.regression_period, RuleSettings::kMinRegressionPeriod}},
        {"regression-interval", {rules.regression_interval, RuleSettings::kMinRegressionInterval}},
        {"error-warmup", {rules.error_warmup, RuleSettings::kMinErrorWarmup}}};
    for (const auto& [name, value] : floors) {
        if (value.first < value.second) {
            return usage_error(std::string("--") + name + " must be at least " + std::to_string(value.second) + "s");
        }
    }
    return std::nullopt;
}

std::optional<Failure> read_serve(std::map<std::string, std::string>& flags, ServeOptions& options) {
    const std::map<std::string, int64_t*> durations = {{"retention", &options.retention_seconds},
                                                        {"retention-check", &options.retention_check_seconds},
                                                        {"activation-window", &options.activation_window_seconds},
                                                        {"live-time", &options.live_process_seconds},
                                                        {"leak-window", &options.anomaly_rules.leak_window},
                                                        {"regression-period", &options.anomaly_rules.regression_period},
                                                        {"regression-interval", &options.anomaly_rules.regression_interval},
                                                        {"error-warmup", &options.anomaly_rules.error_warmup},
                                                        {"notify-cooldown", &options.notify_cooldown_seconds},
                                                        {"notify-retry", &options.notify_retry_seconds}};
    for (auto& [name, value] : flags) {
        if (name == "data") options.data = value;
        else if (name == "database") {
            if (auto failure = read_database(value, options.database)) return failure;
        }
        else if (name == "web") options.web = value;
        else if (name == "tls-cert") options.tls_cert = value;
        else if (name == "tls-key") options.tls_key = value;
        else if (name == "webhook-ca") options.webhook_ca = value;
        else if (name == "metrics-token-file") options.metrics_token_file = value;
        else if (name == "trusted-proxy") {
            for (const std::string& address : comma_separated(value)) {
                if (!is_ip_address(address)) return usage_error("--trusted-proxy wants IP addresses: " + address);
                options.trusted_proxies.insert(address);
            }
        }
        else if (name == "webhook-allow-host") {
            for (std::string host : comma_separated(value)) {
                if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
                if (host.empty()) return usage_error("--webhook-allow-host wants HOST[,HOST...]");
                options.webhook_allowed_hosts.insert(host);
            }
        }
        else if (name == "public-url") {
            if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0) {
                return usage_error("--public-url wants http(s)://host[:port][/path]");
            }
            options.public_url = value;
        }
        else if (name == "listen") {
            if (auto failure = read_listen(value, options)) return failure;
        } else if (name == "threads") {
            auto threads = whole(value);
            if (!threads || *threads < 1 || *threads > 64) return usage_error("--threads wants 1 to 64");
            options.threads = static_cast<int>(*threads);
        } else if (durations.count(name)) {
            auto seconds = parse_duration(value);
            if (!seconds) return usage_error("--" + name + " wants a duration like 90s, 30m, 12h or 7d");
            *durations.at(name) = *seconds;
        } else {
            return usage_error("unknown option --" + name);
        }
    }
    if (options.data.empty()) return usage_error("--data DIR is required");
    if (auto failure = check_rule_floors(options.anomaly_rules)) return failure;
    if (options.tls_cert.empty() != options.tls_key.empty()) return usage_error("--tls-cert and --tls-key go together");
    return std::nullopt;
}

std::optional<Failure> read_user_add(std::map<std::string, std::string>& flags, UserAddOptions& options) {
    for (auto& [name, value] : flags) {
        if (name == "data") options.data = value;
        else if (name == "database") {
            if (auto failure = read_database(value, options.database)) return failure;
        }
        else if (name == "email") options.email = value;
        else if (name == "role") options.role = value;
        else if (name == "account") options.account = value;
        else return usage_error("unknown option --" + name);
    }
    if ((options.data.empty() && options.database.empty()) || options.email.empty() || options.role.empty()) {
        return usage_error("user add needs --data or --database, --email and --role");
    }
    return std::nullopt;
}

std::optional<Failure> read_anomalies(std::map<std::string, std::string>& flags, AnomaliesOptions& options) {
    for (auto& [name, value] : flags) {
        if (name == "csv") {
            options.csv = value;
        } else if (name == "threshold") {
            char* end = nullptr;
            const double threshold = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || !(threshold > 0 && threshold < 1)) {
                return usage_error("--threshold wants a number between 0 and 1");
            }
            options.threshold = threshold;
        } else {
            return usage_error("unknown option --" + name);
        }
    }
    if (options.csv.empty()) return usage_error("anomalies needs --csv FILE");
    return std::nullopt;
}

std::optional<Failure> read_migrate(std::map<std::string, std::string>& flags, MigrateOptions& options) {
    for (auto& [name, value] : flags) {
        if (name == "from") options.from = value;
        else if (name == "to") {
            if (auto failure = read_database(value, options.to)) return failure;
        }
        else return usage_error("unknown option --" + name);
    }
    if (options.from.empty() || options.to.empty()) return usage_error("migrate needs --from DIR and --to postgresql://...");
    return std::nullopt;
}

}  // namespace

std::optional<int64_t> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    const std::map<char, int64_t> units = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    int64_t unit = 1;
    if (units.count(text.back())) {
        unit = units.at(text.back());
        text.remove_suffix(1);
    }
    auto number = whole(text);
    if (!number || *number <= 0 || *number > 100LL * 365 * 86400 / unit) return std::nullopt;
    return *number * unit;
}

Result<Command> parse_command_line(int argc, const char* const* argv) {
    std::vector<std::string_view> words(argv + 1, argv + argc);
    Command command;
    if (!words.empty() && (words[0] == "--help" || words[0] == "-h")) {
        command.kind = Command::Kind::help;
        return command;
    }
    const bool user_add = words.size() >= 2 && words[0] == "user" && words[1] == "add";
    const bool anomalies = !words.empty() && words[0] == "anomalies";
    const bool migrate = !words.empty() && words[0] == "migrate";
    if (user_add) words.erase(words.begin(), words.begin() + 2);
    if (anomalies || migrate) words.erase(words.begin());
    auto flags = read_flags(words);
    if (!flags) return flags.failure();
    if (migrate) {
        command.kind = Command::Kind::migrate;
        if (auto failure = read_migrate(flags.value(), command.migrate)) return *failure;
    } else if (anomalies) {
        command.kind = Command::Kind::anomalies;
        if (auto failure = read_anomalies(flags.value(), command.anomalies)) return *failure;
    } else if (user_add) {
        command.kind = Command::Kind::user_add;
        if (auto failure = read_user_add(flags.value(), command.user)) return *failure;
    } else if (auto failure = read_serve(flags.value(), command.serve)) {
        return *failure;
    }
    return command;
}

}  // namespace siagent::dashboard
