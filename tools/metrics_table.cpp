#include "tools/metrics_table.h"

#include <cstdio>
#include <ctime>

#include "tools/top_table.h"

namespace siagent {
namespace {

struct Column {
    const char* heading;
    const char* key;
    const char* unit;  // as format_value takes it; "%" for percentages
};

const Column kColumns[] = {
    {"cpu%1core", "cpu_percent_of_one_core", "%"},
    {"cpu%all", "cpu_percent_of_all_cores", "%"},
    {"rss", "rss_bytes", "bytes"},
    {"max rss", "max_rss_bytes", "bytes"},
    {"vm", "vm_size_bytes", "bytes"},
    {"heap used", "heap_in_use_bytes", "bytes"},
    {"alloc/s", "allocated_bytes_per_second", "bytes"},
    {"threads", "threads", ""},
    {"fds", "open_fds", ""},
    {"vol cs", "voluntary_context_switches", ""},
    {"invol cs", "involuntary_context_switches", ""},
    {"minflt", "minor_page_faults", ""},
    {"majflt", "major_page_faults", ""},
    {"read", "read_bytes", "bytes"},
    {"written", "written_bytes", "bytes"},
};

std::string cell(const MetricsLine& line, const Column& column) {
    auto found = line.find(column.key);
    if (found == line.end() || !std::holds_alternative<double>(found->second)) return "-";
    double value = std::get<double>(found->second);
    if (std::string(column.unit) == "%") {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", value);
        return text;
    }
    return format_value(static_cast<int64_t>(value), column.unit);
}

std::string time_cell(const MetricsLine& line) {
    auto found = line.find("time_unix_ms");
    if (found == line.end() || !std::holds_alternative<double>(found->second)) return "-";
    time_t seconds = static_cast<time_t>(std::get<double>(found->second) / 1000);
    tm utc;
    gmtime_r(&seconds, &utc);
    char text[32];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    return text;
}

void pad(std::string& out, const std::string& text, size_t width) {
    out += std::string(width > text.size() ? width - text.size() : 0, ' ') + text + "  ";
}

}  // namespace

std::string render_metrics(const std::vector<MetricsLine>& lines) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> heading = {"time (UTC)"};
    for (const Column& column : kColumns) heading.push_back(column.heading);
    rows.push_back(heading);
    for (const MetricsLine& line : lines) {
        std::vector<std::string> row = {time_cell(line)};
        for (const Column& column : kColumns) row.push_back(cell(line, column));
        rows.push_back(row);
    }
    std::vector<size_t> widths(heading.size(), 0);
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    std::string out;
    for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) pad(out, row[i], widths[i]);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += "\n";
    }
    if (!lines.empty()) {
        const MetricsLine& last = lines.back();
        out += "agent: " + cell(last, {"", "agent_samples", ""}) + " samples, " +
               cell(last, {"", "agent_dropped_samples", ""}) + " dropped, " +
               cell(last, {"", "agent_memory_bytes", "bytes"}) + " of buffers, ";
        auto cpu = last.find("agent_cpu_seconds");
        char text[32] = "-";
        if (cpu != last.end() && std::holds_alternative<double>(cpu->second))
            std::snprintf(text, sizeof text, "%.3f s", std::get<double>(cpu->second));
        out += std::string(text) + " of CPU\n";
    }
    return out;
}

}  // namespace siagent
