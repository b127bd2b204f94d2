// The hourly rollup of one group of profile reports while it is built (sqlite/ and
// postgres/storage_rollups.cpp): their trees summed, how many, the largest report id merged
// and the summed sample count (unknown once one report had none). A rollup is extended as
// its hour's reports come (start_from), not built again from all of them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dashboard/server/model/call_tree.h"

namespace siagent::dashboard {

struct RollupTree {
    CallTree tree;
    int64_t reports = 0;
    int64_t max_report_id = 0;
    std::optional<int64_t> samples = 0;
    bool unrollable = false;  // a report did not decode or fit

    // Starts from the group's stored rollup, for an incremental build: every report up to
    // `stored_max_id` is in it, so only later ones are added. False, and nothing changes, for
    // a marker (0 reports: too large to keep) or a tree that does not decode: build it whole.
    bool start_from(std::string_view stored_tree, int64_t stored_reports, int64_t stored_max_id,
                    std::optional<int64_t> stored_samples, size_t max_nodes) {
        if (stored_reports <= 0) return false;
        CallTree seeded;
        if (!CallTree::merge_encoded(stored_tree, max_nodes, 1.0, seeded)) return false;
        tree = std::move(seeded);
        reports = stored_reports;
        max_report_id = stored_max_id;
        samples = stored_samples;
        return true;
    }
    // A report that does not decode, or would take the tree past `max_nodes`, makes the
    // group one that is not rolled up (kept() false); its id counts as tried either way.
    void add(std::string_view blob, int64_t report_id, std::optional<int64_t> report_samples, size_t max_nodes) {
        max_report_id = std::max(max_report_id, report_id);
        if (!CallTree::merge_encoded(blob, max_nodes, 1.0, tree)) {
            unrollable = true;
            return;
        }
        ++reports;
        samples = samples && report_samples ? std::optional<int64_t>(*samples + *report_samples) : std::nullopt;
    }
    // A group that is not rolled up stays raw: its row is a marker of 0 reports and an empty
    // tree, which covers nothing and stops the group from being tried again until a new report.
    bool kept(size_t max_nodes) const { return !unrollable && tree.size() <= max_nodes; }
    int64_t stored_reports(size_t max_nodes) const { return kept(max_nodes) ? reports : 0; }
    std::string stored_tree(size_t max_nodes) const { return (kept(max_nodes) ? tree : CallTree()).encode(); }
};

}  // namespace siagent::dashboard
