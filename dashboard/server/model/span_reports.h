// Span data in uploads (a siagent extension; docs/dashboard-api.md, "Spans"):
// - a breakdown node's `metadata.spans` {"NAME": measurement} gives the part of the node's
//   (inclusive) measurement taken inside each span; the server keeps one tree per span,
//   stored as its own profile series whose type is kSpanProfileType + NAME, next to the
//   base series (same category, name and unit), so rollups and retention treat it like any
//   profile and the base profile's queries never see it;
// - a span metric's `measurement.stats` {"count", "total_ms", "p50_ms", "p99_ms",
//   "max_ms", ...} gives what the protocol's single value (the p95) leaves out.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dashboard/server/model/call_tree.h"
#include "dashboard/server/result.h"

namespace siagent::dashboard {

inline constexpr std::string_view kSpanProfileType = "span-profile:";
inline constexpr size_t kMaxSpansPerBreakdown = 32;  // distinct names; more is refused (413)
inline constexpr size_t kMaxSpanNameBytes = 256;

// One node's share of one span, as read from the upload.
struct SpanShare {
    uint32_t node = 0;  // in the base tree
    std::string span;
    double value = 0;
};

struct SpanTree {
    std::string span;
    CallTree tree;  // the base tree's paths, each node valued at its share of the span
};

// A span metric's measurement.stats (absent numbers stay empty; the p95 is the value).
struct SpanStats {
    std::optional<double> count, total_ms, p50_ms, p99_ms, max_ms;
};

// Appends the shares of a node's metadata.spans, given its `metadata` member (null when the
// node has none; metadata or spans absent or null: no shares). A share that is not a finite
// number >= 0, or a name that is empty or too long, is a 400.
std::optional<Failure> read_span_shares(const rapidjson::Value* metadata, uint32_t node_id,
                                        std::vector<SpanShare>& shares);

// One tree per span name, in order of first appearance; values made inclusive. More than
// kMaxSpansPerBreakdown names is a 413.
Result<std::vector<SpanTree>> span_trees(const CallTree& base, const std::vector<SpanShare>& shares);

// measurement.stats, when present: numbers by name (unknown names ignored); a member that
// is not a finite number is a 400.
Result<std::optional<SpanStats>> read_span_stats(const rapidjson::Value& measurement);

// The type of the series keeping `span`'s tree, and back (nullopt: not a span tree series).
std::string span_profile_type(const std::string& span);
std::optional<std::string> span_of_type(std::string_view type);

}  // namespace siagent::dashboard
