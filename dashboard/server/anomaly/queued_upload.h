// What the anomaly rules read of an upload, queued in storage (Storage::store_reports) for
// the instance that judges (upload_judge.h), encoded as JSON. Kept: the metric series'
// points, the error-profile reports' error events, and a blob-less stand-in for every other
// report with a breakdown (the regression rule asks only whether the upload had profiles).
// Not kept: the breakdowns themselves, durations, span statistics, sample counts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dashboard/server/model/agent_request.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

struct UploadToJudge {
    int64_t account_id = 0;
    ProcessKey process;
    Envelope envelope;  // of it, app_name, app_version, app_environment and host_name
    std::vector<ReportToStore> reports;
};

// The upload as queued; empty when it has nothing to judge (no report at all).
std::string encode_upload(int64_t account_id, const ProcessKey& process, const Envelope& envelope,
                          const std::vector<ReportToStore>& reports);
// nullopt for a payload encode_upload did not write (the queue row is then skipped).
std::optional<UploadToJudge> decode_upload(std::string_view payload);

}  // namespace siagent::dashboard::anomaly
