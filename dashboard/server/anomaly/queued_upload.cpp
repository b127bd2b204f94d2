#include "dashboard/server/anomaly/queued_upload.h"

#include <cmath>
#include <limits>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace siagent::dashboard::anomaly {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& out, const char* key, const std::string& value) {
    out.Key(key);
    out.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_report(Writer& out, const ReportToStore& report) {
    out.StartObject();
    write_string(out, "type", report.series.type);
    write_string(out, "category", report.series.category);
    write_string(out, "name", report.series.name);
    write_string(out, "unit", report.series.unit);
    out.Key("time");
    out.Int64(report.timestamp);
    out.Key("value");
    if (std::isfinite(report.value)) out.Double(report.value);
    else out.Null();  // JSON has no NaN; the detectors skip such a point

    out.Key("profile");
    out.Bool(report.blob.has_value());
    out.Key("crash");
    out.Bool(report.crash);
    out.Key("errors");
    out.StartArray();
    for (const ErrorEvent& error : report.errors) {
        out.StartObject();
        write_string(out, "type", error.type);
        write_string(out, "message", error.message);
        write_string(out, "site", error.site);
        out.Key("frames");
        out.StartArray();
        for (const std::string& frame : error.frames) out.String(frame.data(), static_cast<rapidjson::SizeType>(frame.size()));
        out.EndArray();
        out.Key("count");
        out.Double(error.count);
        out.EndObject();
    }
    out.EndArray();
    out.EndObject();
}

// Reads member `key` into `into` when `is` says it has the right type.
template <class T>
bool read_member(const rapidjson::Value& object, const char* key, T& into, bool (rapidjson::Value::*is)() const,
                 T (rapidjson::Value::*get)() const) {
    auto found = object.FindMember(key);
    if (found == object.MemberEnd() || !(found->value.*is)()) return false;
    into = (found->value.*get)();
    return true;
}

bool read_string(const rapidjson::Value& object, const char* key, std::string& into) {
    auto found = object.FindMember(key);
    if (found == object.MemberEnd() || !found->value.IsString()) return false;
    into.assign(found->value.GetString(), found->value.GetStringLength());
    return true;
}

bool read_int(const rapidjson::Value& object, const char* key, int64_t& into) {
    return read_member<int64_t>(object, key, into, &rapidjson::Value::IsInt64, &rapidjson::Value::GetInt64);
}

bool read_bool(const rapidjson::Value& object, const char* key, bool& into) {
    return read_member<bool>(object, key, into, &rapidjson::Value::IsBool, &rapidjson::Value::GetBool);
}

// A number, or null for a value that was not finite (NaN: the detectors skip it).
bool read_number(const rapidjson::Value& object, const char* key, double& into) {
    auto found = object.FindMember(key);
    if (found != object.MemberEnd() && found->value.IsNull()) {
        into = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    return read_member<double>(object, key, into, &rapidjson::Value::IsNumber, &rapidjson::Value::GetDouble);
}

// Member `key`, an array, each item read by `read_one` into `into`; false when it is missing,
// not an array, or an item does not read.
template <class T>
bool read_each(const rapidjson::Value& object, const char* key, std::vector<T>& into,
               std::optional<T> (*read_one)(const rapidjson::Value&)) {
    auto found = object.FindMember(key);
    if (found == object.MemberEnd() || !found->value.IsArray()) return false;
    for (const auto& item : found->value.GetArray()) {
        auto one = read_one(item);
        if (!one) return false;
        into.push_back(std::move(*one));
    }
    return true;
}

std::optional<ErrorEvent> read_error(const rapidjson::Value& value) {
    ErrorEvent error;
    if (!value.IsObject() || !read_string(value, "type", error.type) || !read_string(value, "message", error.message) ||
        !read_string(value, "site", error.site) || !read_number(value, "count", error.count)) {
        return std::nullopt;
    }
    auto frames = value.FindMember("frames");
    if (frames == value.MemberEnd() || !frames->value.IsArray()) return std::nullopt;
    for (const auto& frame : frames->value.GetArray()) {
        if (!frame.IsString()) return std::nullopt;
        error.frames.emplace_back(frame.GetString(), frame.GetStringLength());
    }
    return error;
}

std::optional<ReportToStore> read_report(const rapidjson::Value& value) {
    ReportToStore report;
    bool profile = false;
    if (!value.IsObject() || !read_string(value, "type", report.series.type) ||
        !read_string(value, "category", report.series.category) || !read_string(value, "name", report.series.name) ||
        !read_string(value, "unit", report.series.unit) || !read_int(value, "time", report.timestamp) ||
        !read_number(value, "value", report.value) || !read_bool(value, "profile", profile) ||
        !read_bool(value, "crash", report.crash)) {
        return std::nullopt;
    }
    if (profile) report.blob = std::string();
    if (!read_each(value, "errors", report.errors, read_error)) return std::nullopt;
    return report;
}

}  // namespace

std::string encode_upload(int64_t account_id, const ProcessKey& process, const Envelope& envelope,
                          const std::vector<ReportToStore>& reports) {
    if (reports.empty()) return {};
    rapidjson::StringBuffer buffer;
    Writer out(buffer);
    out.StartObject();
    out.Key("account");
    out.Int64(account_id);
    out.Key("app");
    out.Int64(process.app_id);
    out.Key("process");
    out.Int64(process.process_id);
    write_string(out, "app_name", envelope.app_name);
    write_string(out, "version", envelope.app_version);
    write_string(out, "environment", envelope.app_environment);
    write_string(out, "host", envelope.host_name);
    out.Key("reports");
    out.StartArray();
    for (const ReportToStore& report : reports) write_report(out, report);
    out.EndArray();
    out.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<UploadToJudge> decode_upload(std::string_view payload) {
    rapidjson::Document document;
    document.Parse(payload.data(), payload.size());
    if (document.HasParseError() || !document.IsObject()) return std::nullopt;
    UploadToJudge upload;
    if (!read_int(document, "account", upload.account_id) || !read_int(document, "app", upload.process.app_id) ||
        !read_int(document, "process", upload.process.process_id) ||
        !read_string(document, "app_name", upload.envelope.app_name) ||
        !read_string(document, "version", upload.envelope.app_version) ||
        !read_string(document, "environment", upload.envelope.app_environment) ||
        !read_string(document, "host", upload.envelope.host_name)) {
        return std::nullopt;
    }
    if (!read_each(document, "reports", upload.reports, read_report)) return std::nullopt;
    return upload;
}

}  // namespace siagent::dashboard::anomaly
