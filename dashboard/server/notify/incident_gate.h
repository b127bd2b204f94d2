// Groups anomalies into incidents: the first anomaly of a rule (app, kind, series) opens an
// incident and is notified; later ones of the same rule within `cooldown` of the incident's
// last anomaly join it silently, and each extends it. So a flapping series notifies once
// per quiet period, not once per flag. Times are the server's clock (when the anomaly was
// recorded), not the agent's timestamps. Kept in the database (the table incident_rules:
// a SHA-256 of the rule, its last anomaly), so every instance on one database shares the
// incidents (the same rule flagged by two instances at once notifies once) and a restart
// forgets none; rules quiet for the cooldown are deleted as anomalies come. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::notify {

class IncidentGate {
public:
    IncidentGate(Storage& storage, int64_t cooldown_seconds) : storage_(&storage), cooldown_(cooldown_seconds) {}

    // True when an anomaly of `rule` at `now` opens a new incident (notify it).
    bool opens(const std::string& rule, int64_t now);

private:
    Storage* storage_;
    int64_t cooldown_;
};

}  // namespace siagent::dashboard::notify
