#include "dashboard/server/model/agent_request.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace siagent::dashboard {
namespace {

using Value = rapidjson::Value;

Failure bad(const std::string& reason) { return Failure{400, reason}; }

// A string member: absent or null gives `fallback`; another type is an error (nullopt).
std::optional<std::string> string_member(const Value& object, const char* key, std::string fallback = {}) {
    auto found = object.FindMember(key);
    if (found == object.MemberEnd() || found->value.IsNull()) return fallback;
    if (!found->value.IsString()) return std::nullopt;
    return std::string(found->value.GetString(), found->value.GetStringLength());
}

// A number member as whole seconds: absent or null gives 0.
std::optional<int64_t> seconds_member(const Value& object, const char* key) {
    auto found = object.FindMember(key);
    if (found == object.MemberEnd() || found->value.IsNull()) return 0;
    if (!found->value.IsNumber()) return std::nullopt;
    const double seconds = found->value.GetDouble();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e11) return std::nullopt;
    return static_cast<int64_t>(seconds);
}

// process_id: a number (Python, Node.js) or a string of digits (Go).
std::optional<int64_t> process_id_of(const Value& envelope) {
    auto found = envelope.FindMember("process_id");
    if (found == envelope.MemberEnd()) return std::nullopt;
    const Value& pid = found->value;
    if (pid.IsInt64()) return pid.GetInt64() >= 0 ? std::optional<int64_t>(pid.GetInt64()) : std::nullopt;
    if (!pid.IsString() || pid.GetStringLength() == 0 || pid.GetStringLength() > 18) return std::nullopt;
    int64_t value = 0;
    const char* text = pid.GetString();
    auto [end, error] = std::from_chars(text, text + pid.GetStringLength(), value);
    if (error != std::errc() || end != text + pid.GetStringLength() || value < 0) return std::nullopt;
    return value;
}

// run_id: a UUID with dashes (Python) or bare hex (Go, Node.js); kept lower-case.
std::optional<std::string> run_id_of(const Value& envelope) {
    auto text = string_member(envelope, "run_id");
    if (!text || text->size() < 8 || text->size() > 64) return std::nullopt;
    for (char& c : *text) {
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (!hex && c != '-') return std::nullopt;
    }
    return text;
}

Result<Envelope> read_envelope(const Value& body, const Limits& limits) {
    if (!body.IsObject()) return bad("envelope: the body is not a JSON object");
    Envelope envelope;
    struct Text {
        const char* key;
        std::string* into;
        bool required;
    };
    const std::array texts = {Text{"runtime_type", &envelope.runtime_type, false},
                              Text{"runtime_version", &envelope.runtime_version, false},
                              Text{"agent_version", &envelope.agent_version, false},
                              Text{"app_name", &envelope.app_name, true},
                              Text{"app_version", &envelope.app_version, false},
                              Text{"app_environment", &envelope.app_environment, false},
                              Text{"host_name", &envelope.host_name, true}};
    for (const Text& text : texts) {
        auto value = string_member(body, text.key);
        if (!value) return bad(std::string("envelope: ") + text.key + " is not a string");
        if (text.required && value->empty()) return bad(std::string("envelope: ") + text.key + " is missing");
        if (value->size() > limits.label_bytes) {
            return bad(std::string("envelope: ") + text.key + " is longer than " + std::to_string(limits.label_bytes) +
                       " bytes");
        }
        *text.into = std::move(*value);
    }
    auto pid = process_id_of(body);
    if (!pid) return bad("envelope: process_id is not a number or a string of digits");
    envelope.process_id = *pid;
    auto run_id = run_id_of(body);
    if (!run_id) return bad("envelope: run_id is not a hex id");
    envelope.run_id = std::move(*run_id);
    auto run_ts = seconds_member(body, "run_ts");
    auto sent_at = seconds_member(body, "sent_at");
    if (!run_ts || !sent_at) return bad("envelope: run_ts or sent_at is not a time in seconds");
    envelope.run_ts = *run_ts;
    envelope.sent_at = *sent_at;
    // Other envelope fields (runtime_path, build_id...) are read by nothing: not stored.
    return envelope;
}

Result<Metric> read_metric(const Value& content, const Limits& limits) {
    if (!content.IsObject()) return bad("metric: content is not an object");
    Metric metric;
    auto type = string_member(content, "type");
    auto category = string_member(content, "category");
    auto name = string_member(content, "name");
    auto unit = string_member(content, "unit");
    if (!type || !category || !name || !unit) return bad("metric: type, category, name or unit is not a string");
    if (type->empty() || category->empty() || name->empty()) return bad("metric: type, category or name is missing");
    if (type->size() > limits.label_bytes || category->size() > limits.label_bytes || unit->size() > limits.label_bytes) {
        return bad("metric: type, category or unit is longer than " + std::to_string(limits.label_bytes) + " bytes");
    }
    if (name->size() > limits.metric_name_bytes) {
        return bad("metric: name is longer than " + std::to_string(limits.metric_name_bytes) + " bytes");
    }
    if (span_of_type(*type)) return bad("metric: type " + *type + " is reserved for span trees");
    metric.type = std::move(*type);
    metric.category = std::move(*category);
    metric.name = std::move(*name);
    metric.unit = std::move(*unit);
    auto found = content.FindMember("measurement");
    if (found == content.MemberEnd() || !found->value.IsObject()) return bad("metric: measurement is not an object");
    const Value& measurement = found->value;
    auto value = measurement.FindMember("value");
    if (value == measurement.MemberEnd() || !value->value.IsNumber()) return bad("metric: measurement.value is not a number");
    metric.value = value->value.GetDouble();
    auto timestamp = seconds_member(measurement, "timestamp");
    if (!timestamp || *timestamp == 0) return bad("metric: measurement.timestamp is not a time in seconds");
    metric.timestamp = *timestamp;
    auto duration = measurement.FindMember("duration");
    if (duration != measurement.MemberEnd() && !duration->value.IsNull()) {
        if (!duration->value.IsNumber()) return bad("metric: measurement.duration is not a number or null");
        metric.duration = duration->value.GetDouble();
    }
    auto breakdown = measurement.FindMember("breakdown");
    if (breakdown != measurement.MemberEnd() && !breakdown->value.IsNull()) {
        std::vector<SpanShare> shares;
        auto tree = read_breakdown(breakdown->value, limits, &shares);
        if (!tree) return tree.failure();
        auto trees = span_trees(tree.value(), shares);
        if (!trees) return trees.failure();
        auto samples = read_num_samples(breakdown->value);
        if (!samples) return samples.failure();
        metric.breakdown = std::move(tree.value());
        metric.span_trees = std::move(trees.value());
        metric.samples = samples.value();
    }
    if (metric.category == "span") {
        auto stats = read_span_stats(measurement);
        if (!stats) return stats.failure();
        metric.span_stats = stats.value();
    }
    return metric;
}

std::optional<Failure> read_messages(const Value& payload, const Limits& limits, AgentRequest& request) {
    auto messages = payload.FindMember("messages");
    if (messages == payload.MemberEnd() || !messages->value.IsArray()) return bad("payload: messages is not an array");
    if (messages->value.Size() > limits.metrics_per_upload) {
        return Failure{413, "payload: more than " + std::to_string(limits.metrics_per_upload) + " messages"};
    }
    for (const auto& message : messages->value.GetArray()) {
        if (!message.IsObject()) return bad("payload: a message is not an object");
        auto topic = string_member(message, "topic");
        if (!topic) return bad("payload: a message topic is not a string");
        auto content = message.FindMember("content");
        if (content == message.MemberEnd()) return bad("payload: a message has no content");
        if (*topic != "metric") {
            ++request.skipped_messages;
            continue;
        }
        auto metric = read_metric(content->value, limits);
        if (!metric) return metric.failure();
        request.metrics.push_back(std::move(metric.value()));
    }
    return std::nullopt;
}

}  // namespace

Result<AgentRequest> read_agent_request(const Value& body, bool with_messages, const Limits& limits) {
    auto envelope = read_envelope(body, limits);
    if (!envelope) return envelope.failure();
    AgentRequest request{std::move(envelope.value()), {}, 0};
    auto payload = body.FindMember("payload");
    if (payload == body.MemberEnd() || !payload->value.IsObject()) return bad("envelope: payload is not an object");
    if (with_messages) {
        if (auto failure = read_messages(payload->value, limits, request)) return *failure;
        auto ending = payload->value.FindMember("process_ending");
        request.envelope.ending = ending != payload->value.MemberEnd() && ending->value.IsTrue();
    }
    return request;
}

}  // namespace siagent::dashboard
