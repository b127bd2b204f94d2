#include "test/bench/synthetic_reports.h"

#include <random>
#include <vector>

#include "dashboard/server/json_out.h"

namespace siagent::bench {
namespace {

using dashboard::CallTree;
using dashboard::JsonOut;

constexpr int kFunctions = 3000;

const std::vector<std::string>& frame_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list;
        std::mt19937 random(7);
        for (int i = 0; i < kFunctions; ++i) {
            const int module = i % 37;
            list.push_back("app::module" + std::to_string(module) + "::Component" + std::to_string(i % 101) +
                           "::operation_" + std::to_string(i) + "(std::string const&, int) (src/module" +
                           std::to_string(module) + "/component_" + std::to_string(i % 101) + ".cpp:" +
                           std::to_string(10 + random() % 900) + ")");
        }
        return list;
    }();
    return names;
}

// A tree and, per node, its inclusive value in each span (empty without spans).
struct SpannedTree {
    CallTree tree;
    std::vector<std::vector<double>> spans;  // [node][span]
};

SpannedTree spanned_tree(uint32_t seed, int stacks, int spans) {
    const auto& names = frame_names();
    std::mt19937 random(seed);
    // Frames near the root come from a small set (main loops), deeper ones from all.
    std::geometric_distribution<int> skew(0.02);
    std::uniform_int_distribution<int> depth(5, 25);
    SpannedTree out;
    CallTree& tree = out.tree;
    std::vector<std::pair<uint32_t, double>> leaves;
    for (int stack = 0; stack < stacks; ++stack) {
        uint32_t node = CallTree::kRoot;
        const int frames = depth(random);
        for (int level = 0; level < frames; ++level) {
            const int pick = level < 3 ? level * 7 + static_cast<int>(random() % 3) : skew(random) % kFunctions;
            node = tree.child(node, names[pick]);
        }
        const double value = 1 + random() % 20;
        tree.add(node, value);
        leaves.emplace_back(node, value);
    }
    tree.make_inclusive();
    if (spans > 0) {
        out.spans.assign(tree.size(), std::vector<double>(spans, 0.0));
        for (size_t stack = 0; stack < leaves.size(); ++stack) out.spans[leaves[stack].first][stack % spans] += leaves[stack].second;
        // Parents have smaller indices than their children: one backward pass sums upwards.
        for (size_t node = tree.size(); node-- > 1;)
            for (int span = 0; span < spans; ++span) out.spans[tree.parent(node)][span] += out.spans[node][span];
    }
    return out;
}

void write_node(JsonOut& out, const SpannedTree& spanned, const std::vector<std::vector<uint32_t>>& children,
                uint32_t node) {
    const CallTree& tree = spanned.tree;
    out.object().field("name", node == CallTree::kRoot ? std::string("CPU call graph") : tree.name(node));
    out.field("measurement", tree.value(node)).field("num_samples", static_cast<int64_t>(tree.value(node)));
    if (!spanned.spans.empty()) {
        out.key("metadata").object().key("spans").object();
        for (size_t span = 0; span < spanned.spans[node].size(); ++span)
            if (spanned.spans[node][span] > 0) out.field("span_" + std::to_string(span), spanned.spans[node][span]);
        out.end_object().end_object();
    }
    out.key("children").array();
    for (uint32_t child : children[node]) write_node(out, spanned, children, child);
    out.end_array().end_object();
}

void write_profile(JsonOut& out, const char* category, const char* name, const char* unit, const SpannedTree& tree,
                   int64_t timestamp) {
    out.object().field("topic", "metric").key("content").object();
    out.field("id", "0123456789abcdef0123456789abcdef01234567").field("type", "profile");
    out.field("category", category).field("name", name).field("unit", unit).key("measurement").object();
    out.field("id", "89abcdef0123456789abcdef01234567").field("trigger", "timer");
    out.field("value", tree.tree.value(CallTree::kRoot)).field("duration", 20).field("timestamp", timestamp);
    out.key("breakdown");
    write_node(out, tree, tree.tree.children(), CallTree::kRoot);
    out.end_object().end_object().end_object();
}

void write_metric(JsonOut& out, const char* category, const char* name, const char* unit, double value,
                  int64_t timestamp) {
    out.object().field("topic", "metric").key("content").object();
    out.field("type", "state").field("category", category).field("name", name).field("unit", unit);
    out.key("measurement").object().field("value", value).key("duration").null().key("breakdown").null();
    out.field("timestamp", timestamp).end_object().end_object().end_object();
}

}  // namespace

CallTree synthetic_tree(uint32_t seed, int stacks) { return spanned_tree(seed, stacks, 0).tree; }

std::string synthetic_upload(const std::string& app, int pid, int64_t timestamp, uint32_t seed, int stacks, int spans) {
    JsonOut out;
    out.object().field("runtime_type", "native").field("runtime_version", "glibc 2.36").field("agent_version", "0.1.0");
    out.field("app_name", app).field("app_version", "1.0").field("app_environment", "bench").field("host_name", "bench-host");
    out.field("process_id", pid).field("run_id", "0badc0de" + std::to_string(100000000 + pid) + "00000000000");
    out.field("run_ts", timestamp - 3600).field("sent_at", timestamp).key("payload").object().key("messages").array();
    write_profile(out, "cpu-profile", "CPU usage", "percent", spanned_tree(seed, stacks, spans), timestamp);
    write_profile(out, "memory-profile", "Allocation rate", "byte", spanned_tree(seed + 1, stacks, spans), timestamp);
    write_profile(out, "memory-profile", "Heap in use", "byte", spanned_tree(seed + 2, stacks, spans), timestamp);
    write_profile(out, "block-profile", "Blocking call times", "millisecond", spanned_tree(seed + 3, stacks, spans), timestamp);
    const char* runtime[] = {"Active threads", "Open files", "Context switches", "Page faults"};
    for (const char* name : runtime) write_metric(out, "runtime", name, "", 10 + seed % 7, timestamp);
    write_metric(out, "cpu", "CPU usage", "percent", 42.5, timestamp);
    write_metric(out, "memory", "Current RSS", "kilobyte", 81920, timestamp);
    write_metric(out, "memory", "Heap in use", "byte", 5e7, timestamp);
    out.end_array().end_object().end_object();
    return out.str();
}

}  // namespace siagent::bench
