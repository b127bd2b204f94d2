#include "dashboard/server/model/frame_order.h"

#include <vector>

namespace siagent::dashboard {

bool written_innermost_first(std::string_view runtime_type, std::string_view category) {
    return runtime_type == "python" && category == "error-profile";
}

CallTree with_paths_reversed(const CallTree& tree) {
    const auto children = tree.children();
    CallTree turned;
    std::vector<uint32_t> path;
    double root_self = tree.value(CallTree::kRoot);
    for (uint32_t child : children[CallTree::kRoot]) root_self -= tree.value(child);
    if (root_self > 0) turned.add(CallTree::kRoot, root_self);
    for (uint32_t node = 1; node < tree.size(); ++node) {
        double self = tree.value(node);
        for (uint32_t child : children[node]) self -= tree.value(child);
        if (self <= 0) continue;
        path.clear();
        for (uint32_t frame = node; frame != CallTree::kRoot; frame = tree.parent(frame)) path.push_back(frame);
        // path: innermost (the node itself) first. A leaf is the message: it stays last.
        const bool leaf = children[node].empty();
        uint32_t at = CallTree::kRoot;
        turned.add(at, self);
        for (size_t i = leaf ? 1 : 0; i < path.size(); ++i) {
            at = turned.child(at, tree.name(path[i]));
            turned.add(at, self);
        }
        if (leaf) {
            at = turned.child(at, tree.name(node));
            turned.add(at, self);
        }
    }
    return turned;
}

}  // namespace siagent::dashboard
