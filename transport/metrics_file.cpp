#include "transport/metrics_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/log.h"

namespace siagent {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void put(JsonWriter& json, const char* key, double value) {
    json.Key(key);
    json.Double(value);
}

void put(JsonWriter& json, const char* key, uint64_t value) {
    json.Key(key);
    json.Uint64(value);
}

template <typename Value>
void put(JsonWriter& json, const char* key, const std::optional<Value>& value) {
    if (value) put(json, key, *value);
}

std::atomic<bool> write_failure_reported{false};

}  // namespace

std::string metrics_json_line(const MetricsSnapshot& m) {
    rapidjson::StringBuffer buffer;
    JsonWriter json(buffer);
    json.StartObject();
    json.Key("time_unix_ms");
    json.Int64(m.time_ns / 1'000'000);
    json.Key("pid");
    json.Int(getpid());
    put(json, "interval_seconds", m.interval_seconds);
    put(json, "cpu_seconds", m.cpu_seconds);
    put(json, "cpu_percent_of_all_cores", m.cpu_percent_of_all_cores);
    put(json, "cpu_percent_of_one_core", m.cpu_percent_of_one_core);
    put(json, "rss_bytes", m.rss_bytes);
    put(json, "max_rss_bytes", m.max_rss_bytes);
    put(json, "vm_size_bytes", m.vm_size_bytes);
    put(json, "heap_in_use_bytes", m.heap_in_use_bytes);
    put(json, "heap_allocated_bytes", m.heap_allocated_bytes);
    put(json, "allocated_bytes_per_second", m.allocated_bytes_per_second);
    put(json, "allocations_per_second", m.allocations_per_second);
    put(json, "threads", m.threads);
    put(json, "open_fds", m.open_fds);
    put(json, "voluntary_context_switches", m.voluntary_context_switches);
    put(json, "involuntary_context_switches", m.involuntary_context_switches);
    put(json, "minor_page_faults", m.minor_page_faults);
    put(json, "major_page_faults", m.major_page_faults);
    put(json, "read_bytes", m.read_bytes);
    put(json, "written_bytes", m.written_bytes);
    put(json, "storage_read_bytes", m.storage_read_bytes);
    put(json, "storage_written_bytes", m.storage_written_bytes);
    put(json, "agent_samples", m.agent.samples);
    put(json, "agent_dropped_samples", m.agent.dropped);
    put(json, "agent_cpu_seconds", m.agent.cpu_seconds);
    put(json, "agent_memory_bytes", m.agent.memory_bytes);
    json.EndObject();
    return buffer.GetString();
}

bool parse_metrics_line(const std::string& line, MetricsLine& out, std::string& error) {
    rapidjson::Document document;
    document.Parse(line.c_str(), line.size());
    if (document.HasParseError() || !document.IsObject()) {
        error = "not a JSON object";
        return false;
    }
    out.clear();
    for (const auto& member : document.GetObject()) {
        std::string key(member.name.GetString(), member.name.GetStringLength());
        if (member.value.IsNumber())
            out[key] = member.value.GetDouble();
        else if (member.value.IsString())
            out[key] = std::string(member.value.GetString(), member.value.GetStringLength());
    }
    return true;
}

bool append_metrics_line(OutputDirectory& directory, const MetricsSnapshot& snapshot) {
    std::string name = "metrics-" + std::to_string(getpid()) + ".jsonl";
    std::string path = directory.file_path(name);
    std::string line = metrics_json_line(snapshot) + "\n";
    std::string unusable;
    // One write of a whole line with O_APPEND: a reader never sees half a line.
    const int fd = directory
                       .make_file([&](int at) {
                           return openat(at, name.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
                       }, unusable)
                       .file;
    bool written = fd >= 0 && write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    int error = errno;
    if (fd >= 0) close(fd);
    // Said on stderr once already by the profile files' sink when SI_OUTPUT_DIR is
    // unwritable (the same directory): one line for one problem.
    if (!written && !write_failure_reported.exchange(true))
        log_debug("cannot write metrics to %s: %s", path.c_str(), strerror(error));
    return written;
}

}  // namespace siagent
