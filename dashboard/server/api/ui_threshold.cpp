#include "dashboard/server/api/ui_threshold.h"

#include <cmath>

#include "dashboard/server/api/ui_session.h"
#include "dashboard/server/json_out.h"

namespace siagent::dashboard {
namespace {

Response describe(ServerContext& context, int64_t account_id) {
    const double threshold = context.anomaly_thresholds.get(context.storage, account_id, context.now());
    JsonOut out;
    out.object().field("threshold", threshold).field("default", anomaly::kDefaultThreshold);
    out.field("min", anomaly::kMinThreshold).field("max", anomaly::kMaxThreshold);
    out.field("custom", context.storage.anomaly_threshold(account_id).has_value()).end_object();
    return json_response(http::status::ok, out.str());
}

}  // namespace

Response handle_anomaly_threshold(ServerContext& context, const Request& request, const Session& session,
                                  const std::vector<std::string_view>& segments) {
    if (segments.size() != 1) return error_response(404, "no such resource");
    const int64_t account = session.user.account_id;
    if (request.method() == http::verb::get) return describe(context, account);
    if (request.method() != http::verb::put) return error_response(405, "the anomaly threshold takes GET or PUT");
    if (session.user.role != "owner") return error_response(403, "only owners change the anomaly threshold");
    rapidjson::Document body;
    if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
    auto found = body.IsObject() ? body.FindMember("threshold") : body.MemberEnd();
    if (!body.IsObject() || found == body.MemberEnd()) {
        return error_response(400, "threshold is required: a number, or null for the default");
    }
    std::optional<double> threshold;
    if (!found->value.IsNull()) {
        if (!found->value.IsNumber()) return error_response(400, anomaly::threshold_problem(std::nan("")));
        threshold = found->value.GetDouble();
        if (auto problem = anomaly::threshold_problem(*threshold); !problem.empty()) return error_response(400, problem);
    }
    if (!context.anomaly_thresholds.set(context.storage, account, threshold, context.now())) {
        return error_response(404, "no such account");
    }
    return describe(context, account);
}

}  // namespace siagent::dashboard
