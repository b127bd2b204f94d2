#include "agent/profile_file_sink.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <utility>

#include "core/log.h"
#include "transport/metrics_file.h"
#include "transport/profile_file.h"
#include "transport/span_file.h"

namespace siagent {
namespace {

std::atomic<bool> output_failure_reported{false};

}  // namespace

ProfileFileSink::ProfileFileSink(std::string directory) : directory_(std::move(directory)) {
    directory_.open_if_present();
}

bool ProfileFileSink::deliver(const Report& report) {
    // Every part is tried: one that cannot be written does not keep the others from disk.
    bool spans = write_spans(report);
    bool profiles = write_profiles(report);
    bool crashes = write_crashes(report);
    bool metrics = true;
    for (const MetricsSnapshot& reading : report.metrics)
        metrics = append_metrics_line(directory_, reading) && metrics;
    return spans && profiles && crashes && metrics;
}

bool ProfileFileSink::write_profiles(const Report& report) {
    for (const KindProfile& entry : report.profiles) {
        auto writing = std::chrono::steady_clock::now();
        std::string error;
        auto path = write_profile_file(directory_, entry.kind, getpid(), report.end_ns / 1'000'000'000,
                                       entry.profile, error);
        if (!path) {
            std::string line = "siagent: cannot write profiles to SI_OUTPUT_DIR: " + error + "\n";
            warn_once(output_failure_reported, line.c_str());
            return false;
        }
        log_debug("wrote %s (%zu stacks in %lld ms)", path->c_str(),
                  entry.profile.samples.size(),
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - writing)
                                             .count()));
    }
    return true;
}

bool ProfileFileSink::write_spans(const Report& report) {
    if (report.spans.empty()) return true;
    std::string error;
    if (write_span_file(directory_, getpid(), report.start_ns, report.end_ns, report.spans, error))
        return true;
    log_debug("report: spans not written: %s", error.c_str());
    return false;
}

bool ProfileFileSink::write_crashes(const Report& report) {
    bool all = true;
    for (const CrashRecord& record : report.crashes) {
        std::string path = write_crash_report(record, directory_);
        if (path.empty()) {
            all = false;
            continue;
        }
        log_debug("crash report %s written from the spool", path.c_str());
    }
    return all;
}

}  // namespace siagent
