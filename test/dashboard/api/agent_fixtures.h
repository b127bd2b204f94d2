// Request bodies in each agent's format, built from docs/protocol.md, and the HTTP
// calls that carry them the way each agent does.
//
// Known truth of each fixture (the profile API must return it):
//   Python  cpu-profile "Main thread CPU usage": top self function cpu_work (/app/worker.py:21)
//   Go      cpu-profile "CPU usage": main.cpuWork sent as two nodes of one name under
//           main.main (30 + 25), main.ioWork 40: after folding, top self main.cpuWork = 55
//   Node.js cpu-profile "CPU usage": top self processRequest (/app/server.js:12:9);
//           error-profile "Uncaught exceptions": 3 x "TypeError: x is undefined" in parseBody
//   native  error-profile "Crashes": one SIGSEGV in crash_here (crash.cpp:7)
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "test/dashboard/api/http_client.h"

namespace siagent::testing {

// The bodies a released original agent posted, in order (test/dashboard/api/recorded, whose
// README states what they hold), their times moved so that the last was sent at `now`.
// `agent` names the folder: "python-1.2.6", "go-2.3.10" or "node-1.3.26".
std::vector<std::string> recorded_uploads(const std::string& agent, int64_t now);

std::string python_upload(int64_t now);
std::string go_upload(int64_t now);
std::string node_upload(int64_t now);
std::string native_crash_upload(int64_t now);

// A config request of a native agent (payload {}); `pid` and `run_id` identify the process.
std::string native_config(const std::string& app, int pid, const std::string& run_id, int64_t now);
// An upload of one native CPU profile whose only function is `function`, `value` % of a core.
std::string native_cpu_upload(const std::string& app, int pid, int64_t timestamp, const std::string& function,
                              double value = 10);

// An upload of one native `state` metric series, one message per point (time, value).
std::string native_state_upload(const std::string& app, const std::string& category, const std::string& name,
                                const std::string& unit, const std::vector<std::pair<int64_t, double>>& points);
// The same for a metric of `type` "state" or "counter" (a counter's value: its delta), from
// process `pid` of host "h".
std::string native_metric_upload(const std::string& app, const std::string& type, const std::string& category,
                                 const std::string& name, const std::string& unit,
                                 const std::vector<std::pair<int64_t, double>>& points, int pid = 77);

// Deterministic noise in [-1, 1] (a small linear congruential generator), for metric series.
class Noise {
public:
    double next() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state_ >> 11) / static_cast<double>(1ULL << 53) * 2 - 1;
    }

private:
    uint64_t state_ = 12345;
};

// The Authorization header value an agent sends with `key`: "Basic " + base64(key + ":").
std::string agent_authorization(const std::string& key);

// POST /agent/v1/<endpoint> with Basic auth; gzipped unless `gzip` is false; chunked when asked.
HttpCall agent_call(const std::string& key, const std::string& endpoint, const std::string& body, bool gzip = true,
                    bool chunked = false);

}  // namespace siagent::testing
