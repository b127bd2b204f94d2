#include "dashboard/server/model/span_reports.h"

#include <cmath>
#include <limits>
#include <map>

namespace siagent::dashboard {
namespace {

Failure bad(const std::string& reason) { return Failure{400, reason}; }

constexpr uint32_t kUnmapped = std::numeric_limits<uint32_t>::max();

// Maps base-tree nodes to one span tree's nodes, creating the span tree's path on demand.
class PathCopier {
public:
    PathCopier(const CallTree& base, CallTree& into) : base_(base), into_(into), mapped_(base.size(), kUnmapped) {
        mapped_[CallTree::kRoot] = CallTree::kRoot;
    }

    uint32_t node_for(uint32_t base_node) {
        // Up to the nearest mapped ancestor (the root always is), then down: iterative, since
        // a tree from an agent may be deep.
        std::vector<uint32_t> path;
        for (uint32_t n = base_node; mapped_[n] == kUnmapped; n = base_.parent(n)) path.push_back(n);
        for (auto n = path.rbegin(); n != path.rend(); ++n)
            mapped_[*n] = into_.child(mapped_[base_.parent(*n)], base_.name(*n));
        return mapped_[base_node];
    }

private:
    const CallTree& base_;
    CallTree& into_;
    std::vector<uint32_t> mapped_;
};

}  // namespace

std::optional<Failure> read_span_shares(const rapidjson::Value* metadata, uint32_t node_id,
                                        std::vector<SpanShare>& shares) {
    if (metadata == nullptr || !metadata->IsObject()) return std::nullopt;
    auto spans = metadata->FindMember("spans");
    if (spans == metadata->MemberEnd() || spans->value.IsNull()) return std::nullopt;
    if (!spans->value.IsObject()) return bad("breakdown: metadata.spans is not an object");
    for (const auto& member : spans->value.GetObject()) {
        const size_t length = member.name.GetStringLength();
        if (length == 0 || length > kMaxSpanNameBytes) {
            return bad("breakdown: a span name is empty or longer than " + std::to_string(kMaxSpanNameBytes) + " bytes");
        }
        if (!member.value.IsNumber() || !std::isfinite(member.value.GetDouble()) || member.value.GetDouble() < 0) {
            return bad("breakdown: a span's measurement is not a number >= 0");
        }
        shares.push_back({node_id, std::string(member.name.GetString(), length), member.value.GetDouble()});
    }
    return std::nullopt;
}

Result<std::vector<SpanTree>> span_trees(const CallTree& base, const std::vector<SpanShare>& shares) {
    std::map<std::string, size_t> index;
    std::vector<SpanTree> trees;
    std::vector<PathCopier> copiers;
    trees.reserve(kMaxSpansPerBreakdown);  // copiers point into trees: no reallocation
    for (const SpanShare& share : shares) {
        if (share.node >= base.size()) continue;
        auto [found, added] = index.emplace(share.span, trees.size());
        if (added) {
            if (trees.size() == kMaxSpansPerBreakdown) {
                return Failure{413, "breakdown: more than " + std::to_string(kMaxSpansPerBreakdown) + " span names"};
            }
            trees.push_back({share.span, CallTree()});
            copiers.emplace_back(base, trees.back().tree);
        }
        SpanTree& tree = trees[found->second];
        tree.tree.add(copiers[found->second].node_for(share.node), share.value);
    }
    for (SpanTree& tree : trees) tree.tree.make_inclusive();
    return trees;
}

Result<std::optional<SpanStats>> read_span_stats(const rapidjson::Value& measurement) {
    auto stats = measurement.FindMember("stats");
    if (stats == measurement.MemberEnd() || stats->value.IsNull()) return std::optional<SpanStats>();
    if (!stats->value.IsObject()) return bad("metric: measurement.stats is not an object");
    SpanStats out;
    const std::pair<const char*, std::optional<double> SpanStats::*> fields[] = {
        {"count", &SpanStats::count},   {"total_ms", &SpanStats::total_ms}, {"p50_ms", &SpanStats::p50_ms},
        {"p99_ms", &SpanStats::p99_ms}, {"max_ms", &SpanStats::max_ms},
    };
    for (const auto& member : stats->value.GetObject()) {
        if (!member.value.IsNumber() || !std::isfinite(member.value.GetDouble())) {
            return bad("metric: measurement.stats holds something that is not a number");
        }
        const std::string_view key(member.name.GetString(), member.name.GetStringLength());
        for (const auto& [name, field] : fields)
            if (key == name) out.*field = member.value.GetDouble();
    }
    return std::optional<SpanStats>(out);
}

std::string span_profile_type(const std::string& span) { return std::string(kSpanProfileType) + span; }

std::optional<std::string> span_of_type(std::string_view type) {
    if (type.substr(0, kSpanProfileType.size()) != kSpanProfileType) return std::nullopt;
    return std::string(type.substr(kSpanProfileType.size()));
}

}  // namespace siagent::dashboard
