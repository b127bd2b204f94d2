#include "transport/stackimpact_json.h"

#include <cmath>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "transport/utf8.h"

namespace siagent {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void string(JsonWriter& writer, std::string_view text) {
    bool ascii = true;
    for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) {
        writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        return;
    }
    std::string clean = valid_utf8(text);
    writer.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

// JSON has no NaN or infinity: such a value goes out as 0.
void number(JsonWriter& writer, double value) { writer.Double(std::isfinite(value) ? value : 0.0); }

// `key`: {"name": number, ...}, left out when `numbers` is empty.
template <class Numbers>
void numbers_member(JsonWriter& writer, const char* key, const Numbers& numbers) {
    if (numbers.empty()) return;
    writer.Key(key);
    writer.StartObject();
    for (const auto& [name, value] : numbers) {
        string(writer, name);
        number(writer, value);
    }
    writer.EndObject();
}

void breakdown(JsonWriter& writer, const Breakdown& node) {
    writer.StartObject();
    writer.Key("name");
    string(writer, node.name);
    writer.Key("metadata");
    writer.StartObject();
    numbers_member(writer, "spans", node.spans);
    writer.EndObject();
    writer.Key("measurement");
    number(writer, node.measurement);
    writer.Key("num_samples");
    writer.Int64(node.num_samples);
    writer.Key("children");
    writer.StartArray();
    for (const Breakdown& child : node.children) breakdown(writer, child);
    writer.EndArray();
    writer.EndObject();
}

void measurement(JsonWriter& writer, const Metric& metric) {
    writer.StartObject();
    writer.Key("id");
    string(writer, metric.measurement_id);
    writer.Key("trigger");
    writer.String("timer");
    writer.Key("value");
    number(writer, metric.value);
    writer.Key("duration");
    if (metric.duration > 0) number(writer, metric.duration);
    else writer.Null();
    writer.Key("breakdown");
    if (metric.has_breakdown) breakdown(writer, metric.breakdown);
    else writer.Null();
    writer.Key("timestamp");
    writer.Int64(metric.timestamp);
    numbers_member(writer, "stats", metric.stats);
    writer.EndObject();
}

void field(JsonWriter& writer, const char* key, const std::string& value) {
    writer.Key(key);
    string(writer, value);
}

}  // namespace

std::string valid_utf8(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (size_t at = 0; at < text.size();) {
        size_t length = utf8_sequence(text, at);
        if (length == 0) {
            clean += '?';
            ++at;
        } else {
            clean.append(text.substr(at, length));
            at += length;
        }
    }
    return clean;
}

std::string metric_message_json(const Metric& metric) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("topic");
    writer.String("metric");
    writer.Key("content");
    writer.StartObject();
    field(writer, "id", metric.id);
    field(writer, "type", metric.type);
    field(writer, "category", metric.category);
    field(writer, "name", metric.name);
    field(writer, "unit", metric.unit);
    writer.Key("measurement");
    measurement(writer, metric);
    writer.EndObject();
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string upload_payload_json(const std::vector<const std::string*>& messages, ProcessState state) {
    size_t size = 40;
    for (const std::string* message : messages) size += message->size() + 1;
    std::string payload;
    payload.reserve(size);
    payload += "{\"messages\":[";
    for (size_t i = 0; i < messages.size(); ++i) {
        if (i > 0) payload += ',';
        payload += *messages[i];
    }
    payload += state == ProcessState::ending ? "],\"process_ending\":true}" : "]}";
    return payload;
}

std::string envelope_json(const AgentIdentity& identity, int64_t sent_at,
                          std::string_view payload_json) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    field(writer, "runtime_type", "native");
    using Text = std::string AgentIdentity::*;
    constexpr std::pair<const char*, Text> kTexts[] = {
        {"runtime_version", &AgentIdentity::runtime_version},
        {"runtime_path", &AgentIdentity::runtime_path},
        {"agent_version", &AgentIdentity::agent_version},
        {"app_name", &AgentIdentity::app_name},
        {"app_version", &AgentIdentity::app_version},
        {"app_environment", &AgentIdentity::app_environment},
        {"host_name", &AgentIdentity::host_name},
    };
    for (const auto& [key, text] : kTexts) field(writer, key, identity.*text);
    writer.Key("process_id");
    writer.Int64(identity.process_id);
    field(writer, "run_id", identity.run_id);
    writer.Key("run_ts");
    writer.Int64(identity.run_ts);
    writer.Key("sent_at");
    writer.Int64(sent_at);
    writer.Key("payload");
    writer.RawValue(payload_json.data(), payload_json.size(), rapidjson::kObjectType);
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<RemoteConfig> parse_config_response(std::string_view body, std::string& error) {
    rapidjson::Document document;
    // Iterative: a hostile, deeply nested body cannot exhaust the agent thread's stack.
    document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (document.HasParseError() || !document.IsObject()) {
        error = "the config response is not a JSON object";
        return std::nullopt;
    }
    auto yes = [&document](const char* key) {
        auto member = document.FindMember(key);
        return member != document.MemberEnd() && member->value.IsString() &&
               std::string_view(member->value.GetString(), member->value.GetStringLength()) == "yes";
    };
    RemoteConfig config;
    config.agent_enabled = yes("agent_enabled");
    config.profiling_disabled = yes("profiling_disabled");
    return config;
}

}  // namespace siagent
