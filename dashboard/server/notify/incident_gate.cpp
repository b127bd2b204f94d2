#include "dashboard/server/notify/incident_gate.h"

#include "dashboard/server/secrets.h"

namespace siagent::dashboard::notify {

bool IncidentGate::opens(const std::string& rule, int64_t now) {
    return storage_->open_incident(sha256_hex(rule), now, cooldown_);
}

}  // namespace siagent::dashboard::notify
