#include "dashboard/server/model/error_events.h"

#include <algorithm>

#include "dashboard/server/model/throw_site.h"

namespace siagent::dashboard {

std::string frames_text(const std::vector<std::string>& frames) {
    std::string text;
    for (const std::string& frame : frames) {
        if (!text.empty()) text += '\n';
        text += frame;
    }
    return text;
}

std::vector<std::string> frames_from_text(const std::string& text) {
    std::vector<std::string> frames;
    for (size_t start = 0; start < text.size();) {
        const size_t end = std::min(text.find('\n', start), text.size());
        frames.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return frames;
}

std::vector<ErrorEvent> error_events(const CallTree& tree, size_t max_events, ErrorKind kind) {
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
        event.site = kind == ErrorKind::crash ? crash_site(event.frames) : throw_site(event.frames);
        event.count = tree.value(node);
        events.push_back(std::move(event));
    }
    std::sort(events.begin(), events.end(), [](const ErrorEvent& a, const ErrorEvent& b) { return a.count > b.count; });
    if (events.size() > max_events) events.resize(max_events);
    return events;
}

}  // namespace siagent::dashboard
