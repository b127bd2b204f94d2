// A DashboardSink on a test's own io_context, pointed at a TestDashboard, with intervals
// shortened so that tests take seconds: flush 100 ms, config 50 ms then every 300 ms,
// backoff 200 ms doubling to 800 ms, connect timeout 500 ms, request timeout 1 s.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "agent/dashboard_sink.h"
#include "test/support/sample_profiles.h"
#include "test/support/test_dashboard.h"
#include "test/support/uploads.h"

namespace siagent::testing {

inline TransportTimings short_timings() {
    return parse_transport_timings(
        "flush=100,config_first=50,config_every=300,backoff=200,backoff_max=800,connect=500,"
        "request=1000");
}

struct SinkHarness {
    boost::asio::io_context io;
    SystemClock clock;
    Config config;
    std::vector<RemoteConfig> answers;
    std::unique_ptr<DashboardSink> sink;

    explicit SinkHarness(const std::string& address, const std::string& ca_file = "",
                         const TransportTimings& timings = short_timings()) {
        config.agent_key = "secret-key-7f3a";
        config.app_name = "harness";
        config.host_name = "test-host";
        config.dashboard_address = address;
        config.ca_file = ca_file;
        sink = std::make_unique<DashboardSink>(io, config, clock, timings,
                                               [this](const RemoteConfig& c) { answers.push_back(c); });
    }

    // Runs the io_context until `done` holds (checked every 10 ms) or `timeout` passes.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
        auto until = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            if (std::chrono::steady_clock::now() >= until) return false;
            io.run_for(std::chrono::milliseconds(10));
        }
        return true;
    }
    void run_for(std::chrono::milliseconds time) {
        run_until([] { return false; }, time);
    }

    void deliver_cpu(const std::string& hot = "score") {
        Report report;
        report.profiles.push_back({"cpu", make_profile("cpu", {{{"main", "handle", hot}, {60, 600'000'000}, {}},
                                                               {{"main", "handle", "parse"}, {30, 300'000'000}, {}}})});
        sink->deliver(report);
    }
};


// Captures what this process writes on stderr while it lives.
class StderrCapture {
public:
    StderrCapture() {
        fflush(stderr);
        saved_ = dup(2);
        path_ = "/tmp/siagent-stderr-" + std::to_string(getpid()) + ".txt";
        FILE* file = fopen(path_.c_str(), "w");
        dup2(fileno(file), 2);
        fclose(file);
    }
    ~StderrCapture() { restore(); }
    std::string text() {
        restore();
        std::ifstream in(path_);
        std::stringstream all;
        all << in.rdbuf();
        return all.str();
    }

private:
    void restore() {
        if (saved_ < 0) return;
        fflush(stderr);
        dup2(saved_, 2);
        close(saved_);
        saved_ = -1;
    }
    int saved_ = -1;
    std::string path_;
};

}  // namespace siagent::testing
