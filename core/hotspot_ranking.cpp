#include "core/hotspot_ranking.h"

namespace siagent {

HotspotTotals::HotspotTotals(size_t functions)
    : self_(functions, 0), total_(functions, 0), open_(functions, 0), last_stack_(functions, 0) {}

void HotspotTotals::make_room(uint32_t function) {
    if (function < self_.size()) return;
    const size_t size = static_cast<size_t>(function) + 1;
    self_.resize(size, 0);
    total_.resize(size, 0);
    open_.resize(size, 0);
    last_stack_.resize(size, 0);
}

void HotspotTotals::add_stack(std::span<const uint32_t> innermost_first, double value) {
    if (innermost_first.empty()) return;
    for (uint32_t function : innermost_first) make_room(function);
    ++stacks_;
    self_[innermost_first.front()] += value;
    for (uint32_t function : innermost_first) {
        if (last_stack_[function] == stacks_) continue;
        last_stack_[function] = stacks_;
        total_[function] += value;
    }
}

void HotspotTotals::enter(uint32_t function, double value, double self) {
    make_room(function);
    self_[function] += self;
    if (open_[function]++ == 0) total_[function] += value;
}

void HotspotTotals::leave(uint32_t function) { --open_[function]; }

}  // namespace siagent
