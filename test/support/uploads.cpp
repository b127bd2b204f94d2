#include "test/support/uploads.h"

#include <cmath>

namespace siagent::testing {

std::shared_ptr<rapidjson::Document> parse_body(const ReceivedRequest& request) {
    auto document = std::make_shared<rapidjson::Document>();
    document->Parse(request.body.c_str(), request.body.size());
    if (document->HasParseError() || !document->IsObject()) return nullptr;
    return document;
}

std::vector<const rapidjson::Value*> uploaded_metrics(
    const std::vector<ReceivedRequest>& requests,
    std::vector<std::shared_ptr<rapidjson::Document>>& keep) {
    std::vector<const rapidjson::Value*> metrics;
    for (const ReceivedRequest& request : requests) {
        if (!request.target.ends_with("/agent/v1/upload")) continue;
        auto document = parse_body(request);
        if (!document || !document->HasMember("payload")) continue;
        keep.push_back(document);
        const rapidjson::Value& payload = (*document)["payload"];
        if (!payload.IsObject() || !payload.HasMember("messages")) continue;
        for (const auto& message : payload["messages"].GetArray())
            if (message.HasMember("content")) metrics.push_back(&message["content"]);
    }
    return metrics;
}

size_t uploaded_messages(const std::vector<ReceivedRequest>& requests) {
    std::vector<std::shared_ptr<rapidjson::Document>> keep;
    return uploaded_metrics(requests, keep).size();
}

namespace {

bool sums_hold(const rapidjson::Value& node, bool root, std::string& why) {
    const auto& children = node["children"].GetArray();
    if (children.Empty()) return true;
    double sum = 0;
    for (const auto& child : children) {
        if (!sums_hold(child, false, why)) return false;
        sum += child["measurement"].GetDouble();
    }
    double own = node["measurement"].GetDouble();
    double tolerance = 1e-6 * std::max(1.0, std::abs(sum));
    bool holds = root ? std::abs(own - sum) <= tolerance : own + tolerance >= sum;
    if (!holds) why = std::string(node["name"].GetString()) + ": " + std::to_string(own) +
                      " vs children " + std::to_string(sum);
    return holds;
}

}  // namespace

bool breakdown_sums_hold(const rapidjson::Value& root, std::string& why) {
    return sums_hold(root, true, why);
}

double measurement_through(const rapidjson::Value& node, const std::string& function) {
    if (std::string(node["name"].GetString()).find(function) != std::string::npos)
        return node["measurement"].GetDouble();
    double sum = 0;
    for (const auto& child : node["children"].GetArray()) sum += measurement_through(child, function);
    return sum;
}

}  // namespace siagent::testing
