// Reading what a TestDashboard received: upload envelopes, their metric messages, and
// the breakdown trees inside, with checks of the protocol's invariants.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "test/support/test_dashboard.h"

namespace siagent::testing {

// The JSON of one request's body; nullptr when it is not JSON.
std::shared_ptr<rapidjson::Document> parse_body(const ReceivedRequest& request);

// The "content" of every metric message of every upload, in arrival order. The documents
// stay alive as long as the returned vector's owner `keep`.
std::vector<const rapidjson::Value*> uploaded_metrics(
    const std::vector<ReceivedRequest>& requests,
    std::vector<std::shared_ptr<rapidjson::Document>>& keep);

// Number of metric messages in all uploads.
size_t uploaded_messages(const std::vector<ReceivedRequest>& requests);

// Whether every node's measurement is at least the sum of its children's, and the root's
// exactly that sum (the root never has samples of its own). `why` says where not.
bool breakdown_sums_hold(const rapidjson::Value& root, std::string& why);

// Sum of the measurements of nodes whose name contains `function` and that have no
// ancestor also matching (so recursion is not counted twice).
double measurement_through(const rapidjson::Value& node, const std::string& function);

}  // namespace siagent::testing
