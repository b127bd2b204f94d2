#include "dashboard/server/api/agent_rejections.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace siagent::dashboard;

namespace {

size_t lines_of(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

AgentRejection refusal(int64_t time, int status, std::string reason) {
    return AgentRejection{time, status, std::move(reason), "/agent/v1/upload", "10.0.0.7"};
}

}  // namespace

TEST_CASE("agent rejections: logged once a minute per key and reason, kept per key, bounded", "[dashboard][agent]") {
    std::ostringstream log;
    AgentRejections rejections(log);
    const AgentKeyOwner key{1, 7, "production"};
    for (int i = 0; i < 5; ++i) rejections.record(key, refusal(1000 + i, 400, "envelope: run_id is not a hex id"));
    CHECK(lines_of(log.str()) == 1);
    CHECK(log.str().find("key \"production\": 400 envelope: run_id is not a hex id") != std::string::npos);
    CHECK(log.str().find("10.0.0.7") != std::string::npos);
    rejections.record(key, refusal(1010, 413, "request too large"));  // another reason: its own line
    CHECK(lines_of(log.str()) == 2);
    rejections.record(key, refusal(1061, 400, "envelope: run_id is not a hex id"));  // a minute later
    CHECK(lines_of(log.str()) == 3);
    CHECK(log.str().find("(and 4 more like it since the last line)") != std::string::npos);
    rejections.record(std::nullopt, refusal(1062, 401, "unknown agent key"));
    CHECK(log.str().find("with no known key: 401 unknown agent key") != std::string::npos);

    auto kept = rejections.last(7);
    REQUIRE(kept.size() == 7);
    CHECK(kept[0].time == 1061);  // newest first
    CHECK(kept[1].status == 413);
    CHECK(rejections.last(8).empty());  // unknown keys are logged, never kept

    // Agent-supplied text is cut and made printable.
    rejections.record(key, refusal(2000, 400, std::string(5000, 'x') + "\n\x1b[31m"));
    CHECK(rejections.last(7)[0].reason.size() == AgentRejections::kMaxReasonBytes);
    rejections.record(key, refusal(3000, 400, "bad\nline\x1b"));
    CHECK(rejections.last(7)[0].reason == "bad?line?");
    for (int i = 0; i < 20; ++i) rejections.record(key, refusal(4000 + i, 400, "again"));
    CHECK(rejections.last(7).size() == AgentRejections::kKeptPerKey);
    CHECK(rejections.last(7)[0].time == 4019);
}
