#include <string_view>
#include <vector>

#include "dashboard/server/model/agent_request.h"

namespace siagent::dashboard {
namespace {

Failure bad(const std::string& reason) { return Failure{400, "breakdown: " + reason}; }

// The members of a node that read_breakdown reads, found in one pass over its members (the
// first of each name, as FindMember finds it); null where absent. A breakdown has thousands
// of nodes: four FindMember calls a node compared every name four times.
struct NodeMembers {
    const rapidjson::Value* name = nullptr;
    const rapidjson::Value* measurement = nullptr;
    const rapidjson::Value* children = nullptr;
    const rapidjson::Value* metadata = nullptr;
};

NodeMembers members_of(const rapidjson::Value& node) {
    NodeMembers found;
    for (const auto& member : node.GetObject()) {
        const std::string_view key(member.name.GetString(), member.name.GetStringLength());
        const rapidjson::Value** slot = key == "name"          ? &found.name
                                        : key == "measurement" ? &found.measurement
                                        : key == "children"    ? &found.children
                                        : key == "metadata"    ? &found.metadata
                                                               : nullptr;
        if (slot != nullptr && *slot == nullptr) *slot = &member.value;
    }
    return found;
}

// The node's own measurement: a number, or 0 when absent or null.
std::optional<double> measurement_of(const rapidjson::Value* measurement) {
    if (measurement == nullptr || measurement->IsNull()) return 0.0;
    if (!measurement->IsNumber()) return std::nullopt;
    return measurement->GetDouble();
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
        NodeMembers members;
        uint32_t id;
    };
    std::vector<Pending> stack{{members_of(breakdown), CallTree::kRoot}};
    size_t frames = 0;
    while (!stack.empty()) {
        const Pending pending = stack.back();
        stack.pop_back();
        const auto value = measurement_of(pending.members.measurement);
        if (!value) return bad("measurement is not a number");
        tree.add(pending.id, *value);
        if (spans != nullptr) {
            if (auto failure = read_span_shares(pending.members.metadata, pending.id, *spans)) return *failure;
        }
        const rapidjson::Value* children = pending.members.children;
        if (children == nullptr || children->IsNull()) continue;
        if (!children->IsArray()) return bad("children is not an array");
        for (const auto& child : children->GetArray()) {
            if (!child.IsObject()) return bad("a child is not an object");
            const NodeMembers members = members_of(child);
            if (members.name == nullptr || !members.name->IsString()) return bad("a node has no name");
            if (++frames > limits.frames_per_breakdown) {
                return Failure{413, "breakdown: more than " + std::to_string(limits.frames_per_breakdown) + " nodes"};
            }
            const std::string_view label(members.name->GetString(), members.name->GetStringLength());
            stack.push_back({members, tree.child(pending.id, label)});
        }
    }
    tree.make_inclusive();
    return tree;
}

}  // namespace siagent::dashboard
