#include "dashboard/server/error_events.h"

#include <algorithm>

namespace siagent::dashboard {

std::vector<ErrorEvent> error_events(const CallTree& tree, size_t max_events) {
    std::vector<bool> has_children(tree.size(), false);
    for (uint32_t node = 1; node < tree.size(); ++node) has_children[tree.parent(node)] = true;
    std::vector<ErrorEvent> events;
    for (uint32_t node = 1; node < tree.size(); ++node) {
        if (has_children[node] || tree.value(node) <= 0) continue;
        ErrorEvent event;
        event.message = tree.name(node);
        const size_t colon = event.message.find(": ");
        event.type = colon == std::string::npos ? event.message : event.message.substr(0, colon);
        for (uint32_t frame = tree.parent(node); frame != CallTree::kRoot; frame = tree.parent(frame)) {
            event.frames.push_back(tree.name(frame));
        }
        if (!event.frames.empty()) event.site = event.frames.front();
        event.count = tree.value(node);
        events.push_back(std::move(event));
    }
    std::sort(events.begin(), events.end(), [](const ErrorEvent& a, const ErrorEvent& b) { return a.count > b.count; });
    if (events.size() > max_events) events.resize(max_events);
    return events;
}

}  // namespace siagent::dashboard
