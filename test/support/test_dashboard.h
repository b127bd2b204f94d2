// A dashboard stand-in for tests: a Boost.Beast HTTP(S) server on a loopback port, in its
// own threads, that records every request (body gunzipped) and answers as the test says,
// including badly: stalling, garbage, 500s, redirects, huge bodies, or not listening.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "test/support/test_certificates.h"

namespace siagent::testing {

struct ReceivedRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;  // gunzipped when Content-Encoding is gzip
    size_t wire_bytes = 0;  // the body as it came (gzipped)
    bool gzip_ok = true;  // false when a gzip body did not inflate
};

enum class ServerMode {
    normal,    // 200 with JSON ({} for upload, the config answer for config)
    stall,     // accepts and reads, then never answers (until the server ends)
    garbage,   // answers bytes that are not HTTP
    error500,  // 500 Internal Server Error
    redirect,  // 302 to another place
    huge,      // 200 with a 50 MiB body, declared and sent
};

class TestDashboard {
public:
    explicit TestDashboard(const TestCertificate* tls = nullptr);  // https when given
    ~TestDashboard();
    TestDashboard(const TestDashboard&) = delete;
    TestDashboard& operator=(const TestDashboard&) = delete;

    int port() const { return port_; }
    // "http://127.0.0.1:<port>" (or https), for SI_DASHBOARD_ADDRESS.
    std::string address(const std::string& host = "127.0.0.1") const;

    void set_mode(ServerMode mode);
    // The JSON answered to /agent/v1/config in normal mode.
    void set_config_answer(const std::string& json);
    // Down: the listening socket is closed (connections refused); up: listening again on
    // the same port.
    void set_down(bool down);

    std::vector<ReceivedRequest> requests() const;
    size_t count(const std::string& target) const;
    size_t connections() const;
    // Waits until `ready(requests)` holds; false after `timeout`.
    bool wait_until(const std::function<bool(const std::vector<ReceivedRequest>&)>& ready,
                    std::chrono::milliseconds timeout) const;

    struct State;  // shared with the connection threads (test_dashboard.cpp)

private:
    std::shared_ptr<State> state_;
    int port_ = 0;
};

}  // namespace siagent::testing
