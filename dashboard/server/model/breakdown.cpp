#include <vector>

#include "dashboard/server/model/agent_request.h"

namespace siagent::dashboard {
namespace {

Failure bad(const std::string& reason) { return Failure{400, "breakdown: " + reason}; }

// The node's own measurement: a number, or 0 when absent or null.
std::optional<double> measurement_of(const rapidjson::Value& node) {
    auto found = node.FindMember("measurement");
    if (found == node.MemberEnd() || found->value.IsNull()) return 0.0;
    if (!found->value.IsNumber()) return std::nullopt;
    return found->value.GetDouble();
}

}  // namespace

Result<std::optional<int64_t>> read_num_samples(const rapidjson::Value& node) {
    auto found = node.FindMember("num_samples");
    if (found == node.MemberEnd() || found->value.IsNull()) return std::optional<int64_t>();
    const rapidjson::Value& value = found->value;
    if (value.IsInt64() && value.GetInt64() >= 0) return std::optional<int64_t>(value.GetInt64());
    if (value.IsUint64()) return bad("num_samples is too large");
    if (value.IsDouble() && value.GetDouble() >= 0 && value.GetDouble() < 9.0e18 &&
        value.GetDouble() == static_cast<double>(static_cast<int64_t>(value.GetDouble())))
        return std::optional<int64_t>(static_cast<int64_t>(value.GetDouble()));
    return bad("num_samples is not a whole number >= 0");
}

Result<CallTree> read_breakdown(const rapidjson::Value& breakdown, const Limits& limits, std::vector<SpanShare>* spans) {
    if (!breakdown.IsObject()) return bad("not an object");
    CallTree tree;
    struct Pending {
        const rapidjson::Value* node;
        uint32_t id;
    };
    std::vector<Pending> stack{{&breakdown, CallTree::kRoot}};
    size_t frames = 0;
    while (!stack.empty()) {
        const Pending pending = stack.back();
        stack.pop_back();
        const auto value = measurement_of(*pending.node);
        if (!value) return bad("measurement is not a number");
        tree.add(pending.id, *value);
        if (spans != nullptr) {
            if (auto failure = read_span_shares(*pending.node, pending.id, *spans)) return *failure;
        }
        auto children = pending.node->FindMember("children");
        if (children == pending.node->MemberEnd() || children->value.IsNull()) continue;
        if (!children->value.IsArray()) return bad("children is not an array");
        for (const auto& child : children->value.GetArray()) {
            if (!child.IsObject()) return bad("a child is not an object");
            auto name = child.FindMember("name");
            if (name == child.MemberEnd() || !name->value.IsString()) return bad("a node has no name");
            if (++frames > limits.frames_per_breakdown) {
                return Failure{413, "breakdown: more than " + std::to_string(limits.frames_per_breakdown) + " nodes"};
            }
            const std::string_view label(name->value.GetString(), name->value.GetStringLength());
            stack.push_back({&child, tree.child(pending.id, label)});
        }
    }
    tree.make_inclusive();
    return tree;
}

}  // namespace siagent::dashboard
