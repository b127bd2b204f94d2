#include "transport/span_file.h"

#include <cstdio>

#include "transport/profile_file.h"

namespace siagent {
namespace {

void append_json_string(std::string& out, const std::string& text) {
    out += '"';
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char escaped[8];
            snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

void append_number(std::string& out, const char* key, double value) {
    char text[64];
    snprintf(text, sizeof text, ", \"%s\": %.6g", key, value);
    out += text;
}

}  // namespace

std::string span_report_json(const std::vector<SpanSummary>& spans, int64_t pid,
                             int64_t start_ns, int64_t end_ns) {
    std::string out = "{\"pid\": " + std::to_string(pid) +
                      ", \"time_ms\": " + std::to_string(end_ns / 1'000'000) +
                      ", \"duration_ms\": " + std::to_string((end_ns - start_ns) / 1'000'000) +
                      ", \"spans\": [";
    for (size_t i = 0; i < spans.size(); ++i) {
        const SpanSummary& span = spans[i];
        out += i == 0 ? "\n  {\"name\": " : ",\n  {\"name\": ";
        append_json_string(out, span.name);
        out += ", \"count\": " + std::to_string(span.count);
        append_number(out, "total_ms", span.total_ms);
        append_number(out, "p50_ms", span.p50_ms);
        append_number(out, "p95_ms", span.p95_ms);
        append_number(out, "p99_ms", span.p99_ms);
        append_number(out, "max_ms", span.max_ms);
        out += ", \"abandoned\": " + std::to_string(span.abandoned) + "}";
    }
    out += "]}\n";
    return out;
}

std::optional<std::string> write_span_file(OutputDirectory& directory, int64_t pid, int64_t start_ns,
                                           int64_t end_ns, const std::vector<SpanSummary>& spans,
                                           std::string& error) {
    return write_report_file(directory, "spans", ".json", pid, end_ns / 1'000'000'000,
                             span_report_json(spans, pid, start_ns, end_ns), error);
}

}  // namespace siagent
