// What the judge says when judging or saving fails: one stderr line per kind of failure at
// most once a minute, counting the ones folded into it, so that a database down for an hour
// prints about sixty lines per kind rather than one per upload and per second. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

namespace siagent::dashboard::anomaly {

class JudgingFailures {
public:
    static constexpr int64_t kLogEverySeconds = 60;

    explicit JudgingFailures(std::ostream& log) : log_(log) {}

    // `what`: the kind, as the line says it ("judging uploads"); `now`: Unix seconds.
    void record(const std::string& what, const std::string& error, int64_t now);

private:
    struct Kind {
        int64_t last_logged = 0;
        bool logged = false;
        int64_t folded = 0;  // failures not logged since the last line
    };

    std::ostream& log_;
    std::mutex mutex_;
    std::map<std::string, Kind> kinds_;  // a handful of fixed kinds
};

}  // namespace siagent::dashboard::anomaly
