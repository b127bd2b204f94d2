#include "agent/profile_file_sink.h"

#include <unistd.h>

#include <atomic>
#include <chrono>

#include "core/log.h"
#include "transport/profile_file.h"

namespace siagent {
namespace {

std::atomic<bool> output_failure_reported{false};

}  // namespace

void ProfileFileSink::deliver(const std::vector<KindProfile>& profiles, int64_t end_ns) {
    for (const KindProfile& entry : profiles) {
        auto writing = std::chrono::steady_clock::now();
        std::string error;
        auto path = write_profile_file(directory_, entry.kind, getpid(), end_ns / 1'000'000'000,
                                       entry.profile, error);
        if (!path) {
            std::string line = "siagent: cannot write profiles to SI_OUTPUT_DIR: " + error + "\n";
            warn_once(output_failure_reported, line.c_str());
            return;
        }
        log_debug("wrote %s (%zu stacks in %lld ms)", path->c_str(),
                  entry.profile.samples.size(),
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - writing)
                                             .count()));
    }
}

}  // namespace siagent
