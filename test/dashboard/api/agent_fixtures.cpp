#include "test/dashboard/api/agent_fixtures.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/beast/core/detail/base64.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "transport/gzip.h"

namespace siagent::testing {
namespace {

// Replaces every "@NOW@" with `now` and "@THEN@" with `now - 60`.
std::string with_times(std::string text, int64_t now) {
    for (const auto& [mark, value] : {std::pair<std::string, int64_t>{"@NOW@", now}, {"@THEN@", now - 60}}) {
        for (size_t at = text.find(mark); at != std::string::npos; at = text.find(mark)) {
            text.replace(at, mark.size(), std::to_string(value));
        }
    }
    return text;
}

std::string base64(const std::string& text) {
    std::string out(boost::beast::detail::base64::encoded_size(text.size()), '\0');
    out.resize(boost::beast::detail::base64::encode(out.data(), text.data(), text.size()));
    return out;
}

bool is_time_member(const std::string& name) { return name == "timestamp" || name == "run_ts" || name == "sent_at"; }

// Adds `delta` to every integer member named like a time, at any depth (the fixtures are ours).
void shift_times(rapidjson::Value& value, int64_t delta) {
    if (value.IsObject()) {
        for (auto& member : value.GetObject()) {
            if (is_time_member(member.name.GetString()) && member.value.IsInt64()) {
                member.value.SetInt64(member.value.GetInt64() + delta);
            } else {
                shift_times(member.value, delta);
            }
        }
    } else if (value.IsArray()) {
        for (auto& element : value.GetArray()) shift_times(element, delta);
    }
}

}  // namespace

std::vector<std::string> recorded_uploads(const std::string& agent, int64_t now) {
    const char* source = std::getenv("SIAGENT_SOURCE_DIR");
    if (source == nullptr) throw std::runtime_error("SIAGENT_SOURCE_DIR is not set");
    const std::filesystem::path folder = std::filesystem::path(source) / "test/dashboard/api/recorded" / agent;
    std::vector<rapidjson::Document> documents;
    for (int i = 1;; ++i) {
        std::ifstream file(folder / ("upload-" + std::to_string(i) + ".json"));
        if (!file) break;
        std::stringstream text;
        text << file.rdbuf();
        documents.emplace_back().Parse(text.str().c_str());
        if (documents.back().HasParseError()) throw std::runtime_error("bad fixture " + agent + " " + std::to_string(i));
    }
    if (documents.empty()) throw std::runtime_error("no recorded uploads in " + folder.string());
    int64_t last_sent = 0;
    for (const auto& document : documents) last_sent = std::max(last_sent, document["sent_at"].GetInt64());
    std::vector<std::string> bodies;
    for (auto& document : documents) {
        shift_times(document, now - last_sent);
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        document.Accept(writer);
        bodies.emplace_back(buffer.GetString(), buffer.GetSize());
    }
    return bodies;
}

std::string python_upload(int64_t now) {
    return with_times(R"J({"runtime_type": "python", "runtime_version": "3.6.1",
 "runtime_path": "/usr/bin/python3", "agent_version": "1.2.4", "app_name": "py-shop",
 "app_version": "1.0.0", "app_environment": "production", "host_name": "py-host",
 "process_id": 4711, "run_id": "5b3c7e2a-9f1d-4c6b-8a2e-1f0d9c8b7a65", "run_ts": @THEN@, "sent_at": @NOW@,
 "payload": {"messages": [{"topic": "metric", "content": {
   "id": "6e9b8a7c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a", "type": "profile", "category": "cpu-profile",
   "name": "Main thread CPU usage", "unit": "percent",
   "measurement": {"id": "a1b2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7", "trigger": "timer", "value": 75.0,
     "duration": 20, "timestamp": @NOW@,
     "breakdown": {"name": "Execution call graph", "metadata": {}, "type": "callgraph", "measurement": 75.0,
       "num_samples": 750, "children": [
         {"name": "main (/app/worker.py:5)", "metadata": {}, "type": "callsite", "measurement": 75.0,
          "num_samples": 750, "children": [
            {"name": "cpu_work (/app/worker.py:21)", "metadata": {}, "type": "callsite", "measurement": 60.0,
             "num_samples": 600, "children": []},
            {"name": "log_line (/app/worker.py:40)", "metadata": {}, "type": "callsite", "measurement": 15.0,
             "num_samples": 150, "children": []}]}]}}}},
   {"topic": "metric", "content": {"id": "0a", "type": "state", "category": "cpu", "name": "CPU usage",
    "unit": "percent", "measurement": {"id": "b1", "trigger": "timer", "value": 37.5, "duration": null,
    "breakdown": null, "timestamp": @NOW@}}}]}})J",
                      now);
}

std::string go_upload(int64_t now) {
    return with_times(R"J({"runtime_type": "go", "runtime_version": "go1.10", "agent_version": "2.3.0",
 "app_name": "go-api", "app_version": "0.9", "app_environment": "staging", "host_name": "go-host",
 "process_id": "31337", "run_id": "8f14e45fceea167a5a36dedd4bea2543", "run_ts": @THEN@, "sent_at": @NOW@,
 "build_id": "3c59dc048e8850243be8079a5c74d079",
 "payload": {"messages": [{"topic": "metric", "content": {
   "id": "c9f0f895fb98ab9159f51fd0297e236d", "type": "profile", "category": "cpu-profile",
   "name": "CPU usage", "unit": "percent",
   "measurement": {"id": "45c48cce2e2d7fbdea1afc51c7c6ad26", "trigger": "timer", "value": 95,
     "timestamp": @NOW@,
     "breakdown": {"name": "CPU call graph", "metadata": {}, "measurement": 95, "num_samples": 95, "children": [
       {"name": "main.main (/go/src/app/main.go:20)", "metadata": {}, "measurement": 95, "num_samples": 95,
        "children": [
          {"name": "main.cpuWork (/go/src/app/main.go:45)", "metadata": {}, "measurement": 30, "num_samples": 30,
           "children": []},
          {"name": "main.ioWork (/go/src/app/main.go:60)", "metadata": {}, "measurement": 40, "num_samples": 40,
           "children": []},
          {"name": "main.cpuWork (/go/src/app/main.go:45)", "metadata": {}, "measurement": 25, "num_samples": 25,
           "children": []}]}]}}}}]}})J",
                      now);
}

std::string node_upload(int64_t now) {
    return with_times(R"J({"runtime_type": "node.js", "runtime_version": "v8.9.0", "agent_version": "1.3.1",
 "app_name": "node-web", "app_version": "2.1.0", "app_environment": "production", "host_name": "node-host",
 "process_id": 2020, "run_id": "d3d9446802a44259755d38e6d163e820", "run_ts": @THEN@, "sent_at": @NOW@,
 "payload": {"messages": [{"topic": "metric", "content": {
   "id": "6512bd43d9caa6e02c990b0a82652dca", "type": "profile", "category": "cpu-profile",
   "name": "CPU usage", "unit": "percent",
   "measurement": {"id": "c20ad4d76fe97759aa27a0c99bff6710", "trigger": "timer", "value": 50,
     "duration": 10, "timestamp": @NOW@,
     "breakdown": {"name": "root", "measurement": 50, "num_samples": 500, "children": [
       {"name": "(anonymous) (/app/server.js:3:1)", "measurement": 50, "num_samples": 500, "children": [
         {"name": "processRequest (/app/server.js:12:9)", "measurement": 35, "num_samples": 350, "children": []},
         {"name": "renderPage (/app/view.js:30:5)", "measurement": 10, "num_samples": 100, "children": []}]}]}}}},
   {"topic": "metric", "content": {"id": "aab3238922bcc25a6f606eb525ffdc56", "type": "profile",
    "category": "error-profile", "name": "Uncaught exceptions", "unit": "",
    "measurement": {"id": "9bf31c7ff062936a96d3c8bd1f8f2ff3", "trigger": "timer", "value": 3, "timestamp": @NOW@,
     "breakdown": {"name": "root", "measurement": 3, "children": [
       {"name": "parseBody (/app/body.js:8:15)", "measurement": 3, "children": [
         {"name": "TypeError: x is undefined", "measurement": 3, "children": []}]}]}}}}]}})J",
                      now);
}

std::string native_crash_upload(int64_t now) {
    return with_times(R"J({"runtime_type": "native", "runtime_version": "glibc 2.36", "agent_version": "0.1.0",
 "app_name": "native-svc", "app_version": "3.0", "app_environment": "prod", "host_name": "n-host",
 "process_id": 99, "run_id": "0123456789abcdef0123456789abcdef", "run_ts": @THEN@, "sent_at": @NOW@,
 "payload": {"messages": [{"topic": "metric", "content": {"id": "e1", "type": "profile",
   "category": "error-profile", "name": "Crashes", "unit": "",
   "measurement": {"id": "f1", "trigger": "timer", "value": 1, "duration": null, "timestamp": @NOW@,
     "breakdown": {"name": "root", "measurement": 1, "children": [
       {"name": "main (crash.cpp:20)", "measurement": 1, "children": [
         {"name": "crash_here (crash.cpp:7)", "measurement": 1, "children": [
           {"name": "SIGSEGV: invalid memory reference", "measurement": 1}]}]}]}}}}]}})J",
                      now);
}

std::string native_config(const std::string& app, int pid, const std::string& run_id, int64_t now) {
    return R"({"runtime_type": "native", "agent_version": "0.1.0", "app_name": ")" + app +
           R"(", "host_name": "h", "process_id": )" + std::to_string(pid) + R"(, "run_id": ")" + run_id +
           R"(", "run_ts": )" + std::to_string(now) + R"(, "sent_at": )" + std::to_string(now) + R"(, "payload": {}})";
}

std::string native_cpu_upload(const std::string& app, int pid, int64_t timestamp, const std::string& function,
                              double value) {
    const std::string measurement = std::to_string(value);
    return R"({"runtime_type": "native", "app_name": ")" + app + R"(", "host_name": "h", "process_id": )" +
           std::to_string(pid) + R"(, "run_id": "00112233445566778899aabbccddeeff", "payload": {"messages": [
           {"topic": "metric", "content": {"type": "profile", "category": "cpu-profile", "name": "CPU usage",
            "unit": "percent", "measurement": {"value": )" + measurement + R"(, "timestamp": )" +
           std::to_string(timestamp) + R"(, "breakdown": {"name": "root", "measurement": )" + measurement +
           R"(, "children": [{"name": ")" + function + R"J( (f.cpp:1)", "measurement": )J" + measurement +
           "}]}}}}]}}";
}

std::string native_state_upload(const std::string& app, const std::string& category, const std::string& name,
                                const std::string& unit, const std::vector<std::pair<int64_t, double>>& points) {
    return native_metric_upload(app, "state", category, name, unit, points);
}

std::string native_metric_upload(const std::string& app, const std::string& type, const std::string& category,
                                 const std::string& name, const std::string& unit,
                                 const std::vector<std::pair<int64_t, double>>& points, int pid) {
    std::string messages;
    for (const auto& [time, value] : points) {
        if (!messages.empty()) messages += ",\n";
        messages += R"({"topic": "metric", "content": {"type": ")" + type + R"(", "category": ")" + category + R"(", "name": ")" +
                    name + R"(", "unit": ")" + unit + R"(", "measurement": {"value": )" + std::to_string(value) +
                    R"(, "timestamp": )" + std::to_string(time) + "}}}";
    }
    return R"({"runtime_type": "native", "app_name": ")" + app + R"(", "app_environment": "prod", "host_name": "h",
 "process_id": )" + std::to_string(pid) + R"(, "run_id": "00112233445566778899aabbccddeeff", "payload": {"messages": [)" +
           messages + "]}}";
}

std::string agent_authorization(const std::string& key) { return "Basic " + base64(key + ":"); }

HttpCall agent_call(const std::string& key, const std::string& endpoint, const std::string& body, bool gzip,
                    bool chunked) {
    HttpCall call{"POST", "/agent/v1/" + endpoint, gzip ? gzip_compress(body) : body, {}, chunked};
    call.headers["Authorization"] = agent_authorization(key);
    call.headers["Content-Type"] = "application/json";
    call.headers["Accept-Encoding"] = "gzip";
    if (gzip) call.headers["Content-Encoding"] = "gzip";
    return call;
}

}  // namespace siagent::testing
