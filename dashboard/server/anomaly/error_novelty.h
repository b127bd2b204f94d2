// The error rules of one application: an exception type or throw site never seen before
// for it, a crash signature (signal and top frames) never seen before. What counts as seen
// is everything stored for the app (remembered once from storage, then kept up to date) and
// everything observed since. Exceptions observed while the app warms up (its first hour by
// default) are remembered, not reported, so startup is not all "new"; a new crash signature
// is reported from the first report on.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "dashboard/server/model/error_events.h"

namespace siagent::dashboard::anomaly {

struct ErrorFinding {
    std::string rule;  // "new_type", "new_site", "new_crash" or "rate_jump"
    std::string type, site;
    std::vector<std::string> frames;  // innermost first
    double count = 0;
    double expected = 0;  // rate_jump: the count the baseline expected
};

// "SIGSEGV|frame|frame|frame": the signal and the innermost three frames of the program
// (program_frames: abort, raise and the other delivery frames left out).
std::string crash_signature(const std::string& type, const std::vector<std::string>& frames);

class ErrorNovelty {
public:
    static constexpr size_t kMaxRemembered = 20'000;  // per set; past it nothing more is new

    void remember(bool crash, const std::string& type, const std::string& site, const std::vector<std::string>& frames);

    // One finding per new type (or, for a known type, per new site) and per new crash
    // signature of the report's events; all of them are remembered.
    std::vector<ErrorFinding> observe(const std::vector<ErrorEvent>& events, bool crash, bool warming_up);

    // How many types and (type, site) pairs are remembered: it grows exactly when something new was seen.
    size_t known() const { return types_.size() + sites_.size(); }

private:
    bool insert(std::set<std::string>& set, const std::string& key);

    std::set<std::string> types_, sites_, crashes_;
};

}  // namespace siagent::dashboard::anomaly
