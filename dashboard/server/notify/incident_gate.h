// Groups anomalies into incidents: the first anomaly of a rule (app, kind, series) opens an
// incident and is notified; later ones of the same rule within `cooldown` of the incident's
// last anomaly join it silently, and each extends it. So a flapping series notifies once
// per quiet period, not once per flag. Times are the server's clock (when the anomaly was
// recorded), not the agent's timestamps. In memory: a restart forgets open incidents.
// Bounded: past `max_rules` open incidents the oldest-touched are forgotten. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace siagent::dashboard::notify {

class IncidentGate {
public:
    explicit IncidentGate(int64_t cooldown_seconds, size_t max_rules = 100'000)
        : cooldown_(cooldown_seconds), max_rules_(max_rules) {}

    // True when an anomaly of `rule` at `now` opens a new incident (notify it).
    bool opens(const std::string& rule, int64_t now);

    size_t open_incidents() const;

private:
    void forget_oldest();

    int64_t cooldown_;
    size_t max_rules_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, int64_t> last_seen_;  // rule -> last anomaly time
};

}  // namespace siagent::dashboard::notify
