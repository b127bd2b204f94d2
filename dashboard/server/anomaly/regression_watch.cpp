#include "dashboard/server/anomaly/regression_watch.h"

#include <algorithm>
#include <map>

#include "dashboard/server/anomaly/anomaly_text.h"
#include "dashboard/server/anomaly/sampled_profile.h"
#include "dashboard/server/anomaly/share_rise.h"
#include "dashboard/server/anomaly/statistics.h"
#include "dashboard/server/json_out.h"

namespace siagent::dashboard::anomaly {
namespace {

using namespace std::string_literals;

constexpr size_t kMaxProfileNodes = 50'000;
constexpr size_t kMaxRowsPerSide = 30;
constexpr int64_t kVersionLookback = 90 * 86400;
constexpr const char* kKinds[] = {"cpu", "alloc", "block"};

// One side of a comparison: which data, and its shares.
struct Side {
    std::string version;  // empty: all versions
    int64_t from = 0, to = 0;
    std::string category, name;
    size_t reports = 0;
    std::vector<FunctionShare> shares;
    std::optional<double> samples;
    SideEvidence evidence() const { return {reports, samples}; }
};

Side load_side(Storage& storage, const AppScope& scope, const std::string& kind, const std::string& environment,
               const std::string& version, int64_t from, int64_t to) {
    QueryFilter filter;
    filter.from = from;
    filter.to = to;
    filter.version = version;
    filter.environment = environment;
    Side side{version, from, to, "", "", 0, {}, std::nullopt};
    const SampledProfile profile = sampled_profile(storage, scope, kind, filter, kMaxRowsPerSide, kMaxProfileNodes);
    side.category = profile.category;
    side.name = profile.name;
    side.reports = profile.reports;
    side.shares = function_shares(profile.tree);
    side.samples = profile.reports > 0 ? profile.samples : std::nullopt;
    return side;
}

struct VersionSpan {
    int64_t first_seen = 0, last_seen = 0;
};

// Every version's span over the processes seen in the lookback, in the environment.
std::map<std::string, VersionSpan> version_spans(Storage& storage, const AppScope& scope, const std::string& environment,
                                                 int64_t now) {
    QueryFilter filter;
    filter.from = now - kVersionLookback;
    filter.to = now;
    filter.environment = environment;
    std::map<std::string, VersionSpan> spans;
    for (const ProcessRow& p : storage.processes(scope, filter)) {
        auto [it, added] = spans.emplace(p.version, VersionSpan{p.first_seen, p.last_seen});
        if (added) continue;
        it->second.first_seen = std::min(it->second.first_seen, p.first_seen);
        it->second.last_seen = std::max(it->second.last_seen, p.last_seen);
    }
    return spans;
}

// The version last seen before `version` first appeared (nullptr: none).
const std::pair<const std::string, VersionSpan>* previous_version(const std::map<std::string, VersionSpan>& spans,
                                                                  const std::string& version) {
    auto current = spans.find(version);
    if (version.empty() || current == spans.end()) return nullptr;
    const std::pair<const std::string, VersionSpan>* previous = nullptr;
    for (const auto& entry : spans) {
        if (entry.first == version || entry.first.empty() || entry.second.first_seen > current->second.first_seen) continue;
        if (!previous || entry.second.last_seen > previous->second.last_seen) previous = &entry;
    }
    return previous;
}

// A version that first appeared within `since`, next to another one: a release. Periods
// around it differ by version, which the version comparison judges.
bool released_since(const std::map<std::string, VersionSpan>& spans, int64_t since) {
    if (spans.size() < 2) return false;
    for (const auto& [version, span] : spans) {
        if (span.first_seen >= since) return true;
    }
    return false;
}

void side_json(JsonOut& out, const char* name, const Side& side) {
    out.key(name).object().field("version", side.version).field("from", side.from).field("to", side.to).end_object();
}

AnomalyRow row_of(const std::string& kind, const std::string& basis, const Side& before, const Side& after,
                  const ShareRise& rise, const std::string& environment, int64_t now) {
    AnomalyRow row;
    row.time = now;
    row.kind = "regression";
    row.category = after.category;
    row.name = rise.function;
    row.environment = environment;
    row.value = rise.after;
    row.unit = "share";
    row.score = 1 - normal_upper_tail(rise.z);
    const std::string against = basis == "version" ? "version " + after.version + " against " + before.version
                                                   : "the last " + duration_text(static_cast<double>(after.to - after.from)) +
                                                         " against the period before";
    row.message = site_text(rise.function, rise.file, rise.line) + ": " + percent_text(rise.before) + " → " +
                  percent_text(rise.after) + " of " + after.name + ", " + against + " (z " + short_number(rise.z) + ")";
    JsonOut out;
    out.object().field("profile_kind", kind).field("basis", basis).field("function", rise.function);
    out.field("file", rise.file).field("line", rise.line).field("before_share", rise.before);
    out.field("after_share", rise.after).field("z", rise.z);
    side_json(out, "before", before);
    side_json(out, "after", after);
    row.detail = out.end_object().str();
    return row;
}

}  // namespace

std::optional<int64_t> RegressionWatch::due(const std::string& key, int64_t now, int64_t interval) {
    std::lock_guard lock(mutex_);
    auto found = schedules_.find(key);
    if (found == schedules_.end()) {
        if (schedules_.size() >= kMaxRemembered) schedules_.clear();
        schedules_[key] = Schedule{now, now};
        return std::min(kMinInterval, interval);
    }
    // Half the age, from kMinInterval (at most the configured interval) up to it.
    const int64_t adapted = std::clamp((now - found->second.first) / 2, std::min(kMinInterval, interval), interval);
    if (now - found->second.last < adapted) return std::nullopt;
    found->second.last = now;
    return adapted;
}

bool RegressionWatch::start_episode(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (episodes_.size() >= kMaxRemembered) episodes_.clear();
    return episodes_.insert(key).second;
}

void RegressionWatch::end_episodes_except(const std::string& prefix, const std::set<std::string>& active) {
    std::lock_guard lock(mutex_);
    for (auto it = episodes_.lower_bound(prefix); it != episodes_.end() && it->compare(0, prefix.size(), prefix) == 0;) {
        it = active.count(*it) ? std::next(it) : episodes_.erase(it);
    }
}

std::vector<AnomalyRow> RegressionWatch::observe(Storage& storage, const AppScope& scope, const std::string& version,
                                                 const std::string& environment, const RuleSettings& settings,
                                                 int64_t now) {
    const std::string app_key = std::to_string(scope.app_id) + '\0' + environment + '\0';
    // Scheduled per version too: while two versions run side by side, each gets its checks.
    const auto interval = due(app_key + version, now, settings.regression_interval);
    if (!interval) return {};
    ShareRiseConfig test;
    test.alpha *= static_cast<double>(*interval) / static_cast<double>(std::max<int64_t>(settings.regression_interval, 1));
    const int64_t period = settings.regression_period;
    const auto spans = version_spans(storage, scope, environment, now);
    const auto* previous = previous_version(spans, version);
    const bool release = released_since(spans, now - 2 * period);

    std::vector<AnomalyRow> rows;
    for (const std::string kind : kKinds) {
        if (previous) {
            const Side before = load_side(storage, scope, kind, environment, previous->first,
                                          previous->second.last_seen - period, previous->second.last_seen);
            const Side after = load_side(storage, scope, kind, environment, version, now - period, now);
            for (const ShareRise& rise : share_rises(before.shares, before.evidence(), after.shares, after.evidence(), test)) {
                const std::string function_key = app_key + kind + '\0' + rise.function + '\0' + rise.file;
                if (start_episode(function_key + "\0version\0"s + previous->first + '\0' + version)) {
                    rows.push_back(row_of(kind, "version", before, after, rise, environment, now));
                }
            }
        }
        if (release) continue;  // the periods differ by version: the version comparison's job
        const Side before = load_side(storage, scope, kind, environment, "", now - 2 * period, now - period);
        const Side after = load_side(storage, scope, kind, environment, "", now - period, now);
        const std::string period_prefix = app_key + kind + "\0period\0"s;
        std::set<std::string> active;
        for (const ShareRise& rise : share_rises(before.shares, before.evidence(), after.shares, after.evidence(), test)) {
            const std::string episode = period_prefix + rise.function + '\0' + rise.file;
            active.insert(episode);
            if (start_episode(episode)) rows.push_back(row_of(kind, "period", before, after, rise, environment, now));
        }
        end_episodes_except(period_prefix, active);
    }
    return rows;
}

}  // namespace siagent::dashboard::anomaly
