#include "dashboard/server/anomaly/error_novelty.h"

#include <algorithm>

#include "dashboard/server/model/throw_site.h"

namespace siagent::dashboard::anomaly {
namespace {

constexpr size_t kSignatureFrames = 3;

std::string site_key(const std::string& type, const std::string& site) { return type + '\n' + site; }

}  // namespace

std::string crash_signature(const std::string& type, const std::vector<std::string>& frames) {
    std::string signature = type;
    const std::vector<std::string> program = program_frames(frames);
    for (size_t i = 0; i < std::min(program.size(), kSignatureFrames); ++i) signature += '|' + program[i];
    return signature;
}

bool ErrorNovelty::insert(std::set<std::string>& set, const std::string& key) {
    if (set.count(key)) return false;
    if (set.size() >= kMaxRemembered) return false;
    set.insert(key);
    return true;
}

void ErrorNovelty::remember(bool crash, const std::string& type, const std::string& site,
                            const std::vector<std::string>& frames) {
    if (crash) {
        insert(crashes_, crash_signature(type, frames));
        return;
    }
    insert(types_, type);
    insert(sites_, site_key(type, site));
}

std::vector<ErrorFinding> ErrorNovelty::observe(const std::vector<ErrorEvent>& events, bool crash, bool warming_up) {
    std::vector<ErrorFinding> findings;
    for (const ErrorEvent& event : events) {
        if (crash) {
            if (insert(crashes_, crash_signature(event.type, event.frames))) {
                findings.push_back(
                    ErrorFinding{"new_crash", event.type, event.site, program_frames(event.frames), event.count, 0});
            }
            continue;
        }
        const bool new_type = insert(types_, event.type);
        const bool new_site = insert(sites_, site_key(event.type, event.site));
        if (warming_up || (!new_type && !new_site)) continue;
        findings.push_back(
            ErrorFinding{new_type ? "new_type" : "new_site", event.type, event.site, event.frames, event.count, 0});
    }
    return findings;
}

}  // namespace siagent::dashboard::anomaly
