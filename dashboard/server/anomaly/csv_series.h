// The offline evaluation tool behind `siagent-dashboard anomalies --csv FILE`: streams the
// server's SeriesDetector over a `timestamp,value` CSV and writes
// `timestamp,value,anomaly_score,label`, one row per input row, in input order.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>

#include "dashboard/server/anomaly/detector.h"
#include "dashboard/server/result.h"

namespace siagent::dashboard::anomaly {

// "YYYY-MM-DD HH:MM:SS" (a 'T' separator and fractional seconds are accepted), read as UTC;
// seconds since the epoch, nullopt when malformed.
std::optional<int64_t> parse_timestamp(std::string_view text);

struct CsvSummary {
    int64_t rows = 0;
    int64_t flagged = 0;
    int64_t invalid_values = 0;  // NaN, inf or empty: written with score 0, label 0
    int64_t out_of_order = 0;    // timestamp not after the previous one: score 0, label 0
};

// A malformed file (no header, a bad timestamp or number: the failure names the line) or one
// without data rows is a Failure; rows already written stay written.
Result<CsvSummary> score_csv(std::istream& in, std::ostream& out, const DetectorConfig& config = {});

}  // namespace siagent::dashboard::anomaly
