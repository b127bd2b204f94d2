// Span summaries as a file under SI_OUTPUT_DIR: spans-<pid>-<unix seconds>.json, one JSON
// object per report:
//   {"pid": 123, "time_ms": 1700000000000, "duration_ms": 60000, "spans": [
//     {"name": "handle_request", "count": 10, "total_ms": 52.1, "p50_ms": 5.0,
//      "p95_ms": 7.9, "p99_ms": 8.1, "max_ms": 8.2, "abandoned": 0}, ...]}
// Agent thread only.
#pragma once

#include "core/output_directory.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/span_report.h"

namespace siagent {

// The JSON text of one report (names escaped as JSON strings).
std::string span_report_json(const std::vector<SpanSummary>& spans, int64_t pid,
                             int64_t start_ns, int64_t end_ns);

// Writes it atomically; returns the path, or nullopt with `error` set.
std::optional<std::string> write_span_file(OutputDirectory& directory, int64_t pid, int64_t start_ns,
                                           int64_t end_ns, const std::vector<SpanSummary>& spans,
                                           std::string& error);

}  // namespace siagent
