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

void write_node(JsonOut& out, const CallTree& tree, const std::vector<std::vector<uint32_t>>& children, uint32_t node) {
    out.object().field("name", node == CallTree::kRoot ? std::string("CPU call graph") : tree.name(node));
    out.field("measurement", tree.value(node)).field("num_samples", static_cast<int64_t>(tree.value(node)));
    out.key("children").array();
    for (uint32_t child : children[node]) write_node(out, tree, children, child);
    out.end_array().end_object();
}

void write_profile(JsonOut& out, const char* category, const char* name, const char* unit, const CallTree& tree,
                   int64_t timestamp) {
    out.object().field("topic", "metric").key("content").object();
    out.field("id", "0123456789abcdef0123456789abcdef01234567").field("type", "profile");
    out.field("category", category).field("name", name).field("unit", unit).key("measurement").object();
    out.field("id", "89abcdef0123456789abcdef01234567").field("trigger", "timer");
    out.field("value", tree.value(CallTree::kRoot)).field("duration", 20).field("timestamp", timestamp);
    out.key("breakdown");
    write_node(out, tree, tree.children(), CallTree::kRoot);
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

CallTree synthetic_tree(uint32_t seed, int stacks) {
    const auto& names = frame_names();
    std::mt19937 random(seed);
    // Frames near the root come from a small set (main loops), deeper ones from all.
    std::geometric_distribution<int> skew(0.02);
    std::uniform_int_distribution<int> depth(5, 25);
    CallTree tree;
    for (int stack = 0; stack < stacks; ++stack) {
        uint32_t node = CallTree::kRoot;
        const int frames = depth(random);
        for (int level = 0; level < frames; ++level) {
            const int pick = level < 3 ? level * 7 + static_cast<int>(random() % 3) : skew(random) % kFunctions;
            node = tree.child(node, names[pick]);
        }
        tree.add(node, 1 + random() % 20);
    }
    tree.make_inclusive();
    return tree;
}

std::string synthetic_upload(const std::string& app, int pid, int64_t timestamp, uint32_t seed, int stacks) {
    JsonOut out;
    out.object().field("runtime_type", "native").field("runtime_version", "glibc 2.36").field("agent_version", "0.1.0");
    out.field("app_name", app).field("app_version", "1.0").field("app_environment", "bench").field("host_name", "bench-host");
    out.field("process_id", pid).field("run_id", "0badc0de" + std::to_string(100000000 + pid) + "00000000000");
    out.field("run_ts", timestamp - 3600).field("sent_at", timestamp).key("payload").object().key("messages").array();
    write_profile(out, "cpu-profile", "CPU usage", "percent", synthetic_tree(seed, stacks), timestamp);
    write_profile(out, "memory-profile", "Allocation rate", "byte", synthetic_tree(seed + 1, stacks), timestamp);
    write_profile(out, "memory-profile", "Heap in use", "byte", synthetic_tree(seed + 2, stacks), timestamp);
    write_profile(out, "block-profile", "Blocking call times", "millisecond", synthetic_tree(seed + 3, stacks), timestamp);
    const char* runtime[] = {"Active threads", "Open files", "Context switches", "Page faults"};
    for (const char* name : runtime) write_metric(out, "runtime", name, "", 10 + seed % 7, timestamp);
    write_metric(out, "cpu", "CPU usage", "percent", 42.5, timestamp);
    write_metric(out, "memory", "Current RSS", "kilobyte", 81920, timestamp);
    write_metric(out, "memory", "Heap in use", "byte", 5e7, timestamp);
    out.end_array().end_object().end_object();
    return out.str();
}

}  // namespace siagent::bench
