#include "dashboard/server/anomaly/csv_series.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <istream>
#include <ostream>
#include <string>

namespace siagent::dashboard::anomaly {

namespace {

std::optional<int> digits(std::string_view text, size_t at, size_t count) {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t year, int month, int day) {
    year -= month <= 2;
    const int64_t era = (year >= 0 ? year : year - 399) / 400;
    const int64_t year_of_era = year - era * 400;
    const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

std::string_view unquote(std::string_view text) {
    text = trim(text);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
    return text;
}

bool is_header(std::string_view line) {
    if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 byte order mark
    const size_t comma = line.find(',');
    if (comma == std::string_view::npos) return false;
    return unquote(line.substr(0, comma)) == "timestamp" && unquote(line.substr(comma + 1)) == "value";
}

// Empty, "nan", "inf" and the like are values the detector skips; anything else that is not
// a number is an error.
std::optional<double> parse_value(std::string_view text) {
    if (text.empty()) return std::nan("");
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) return text.front() == '-' ? -HUGE_VAL : HUGE_VAL;
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

Failure line_error(int64_t line, const std::string& what) {
    return Failure{1, "line " + std::to_string(line) + ": " + what};
}

}  // namespace

std::optional<int64_t> parse_timestamp(std::string_view text) {
    text = unquote(text);
    if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T') ||
        text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
    auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
    if (text.size() > 19 && (text[19] != '.' || !digits(text, 20, text.size() - 20))) return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
        return std::nullopt;
    }
    return days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 + *second;
}

Result<CsvSummary> score_csv(std::istream& in, std::ostream& out, const DetectorConfig& config) {
    std::string line;
    int64_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!trim(line).empty()) break;
    }
    if (trim(line).empty()) return Failure{1, "empty file: expected a header 'timestamp,value'"};
    if (!is_header(trim(line))) return line_error(number, "expected the header 'timestamp,value'");

    SeriesDetector detector(config);
    CsvSummary summary;
    out << "timestamp,value,anomaly_score,label\n";
    char score[32];
    while (std::getline(in, line)) {
        ++number;
        const std::string_view row = trim(line);
        if (row.empty()) continue;
        const size_t comma = row.find(',');
        if (comma == std::string_view::npos) return line_error(number, "expected timestamp,value");
        const std::string_view time_text = trim(row.substr(0, comma)), value_text = unquote(row.substr(comma + 1));
        auto time = parse_timestamp(time_text);
        if (!time) return line_error(number, "bad timestamp '" + std::string(time_text) + "' (want YYYY-MM-DD HH:MM:SS)");
        auto value = parse_value(value_text);
        if (!value) return line_error(number, "bad value '" + std::string(value_text) + "'");

        const PointResult result = detector.add(*time, *value);
        summary.invalid_values += result.status == PointStatus::invalid_value;
        summary.out_of_order += result.status == PointStatus::out_of_order;
        summary.flagged += result.flag;
        ++summary.rows;
        std::snprintf(score, sizeof score, "%.6f", result.onset_score);
        out << time_text << ',' << value_text << ',' << score << ',' << (result.flag ? 1 : 0) << '\n';
    }
    if (summary.rows == 0) return Failure{1, "no data rows after the header: an empty series has nothing to score"};
    return summary;
}

}  // namespace siagent::dashboard::anomaly
