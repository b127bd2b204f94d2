// The one definition of a hot spot, shared by `siagent top` (tools/top_table.cpp) and the
// dashboard's hot-spot table (dashboard/server/model/hotspots.cpp); the web UI's own table
// (dashboard/web/src/lib/hotspots.js, for trees it has already) follows the same definition,
// and its unit test checks the same cases as test/core/hotspot_ranking_test.cpp.
// - self: the value of the stacks whose innermost frame is the function;
// - total: the value of the stacks with the function anywhere on them, each stack once, so
//   a recursive function is not counted twice;
// - ranked by self (or by total), then by the other, then by name.
// Functions are ids 0..n-1 that the caller gives its names (and files) to.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace siagent {

enum class HotspotOrder { by_self, by_total };

class HotspotTotals {
public:
    // Room for `functions` ids; a larger id makes room for itself.
    explicit HotspotTotals(size_t functions = 0);

    // One stack of `value`, innermost frame first.
    void add_stack(std::span<const uint32_t> innermost_first, double value);

    // A call tree walked depth first, for trees whose nodes carry inclusive values: each
    // node entered with its function, its value and its self value (its value minus its
    // children's), and left after its children. The same totals as every node's path added
    // as a stack of its self value.
    void enter(uint32_t function, double value, double self);
    void leave(uint32_t function);

    double self(uint32_t function) const { return self_[function]; }
    double total(uint32_t function) const { return total_[function]; }
    size_t size() const { return self_.size(); }

private:
    void make_room(uint32_t function);

    std::vector<double> self_;
    std::vector<double> total_;
    std::vector<uint32_t> open_;        // enter/leave: frames of the function on the path
    std::vector<uint64_t> last_stack_;  // add_stack: the last stack that counted the function
    uint64_t stacks_ = 0;
};

// The ids of the functions with a value, ranked; `name(id)` breaks the last ties.
template <typename NameOf>
std::vector<uint32_t> rank_hotspots(const HotspotTotals& totals, HotspotOrder order, NameOf name) {
    std::vector<uint32_t> ids;
    for (uint32_t id = 0; id < totals.size(); ++id)
        if (totals.self(id) != 0 || totals.total(id) != 0) ids.push_back(id);
    const bool by_total = order == HotspotOrder::by_total;
    std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
        const double a1 = by_total ? totals.total(a) : totals.self(a);
        const double b1 = by_total ? totals.total(b) : totals.self(b);
        if (a1 != b1) return a1 > b1;
        const double a2 = by_total ? totals.self(a) : totals.total(a);
        const double b2 = by_total ? totals.self(b) : totals.total(b);
        if (a2 != b2) return a2 > b2;
        return std::string_view(name(a)) < std::string_view(name(b));
    });
    return ids;
}

}  // namespace siagent
