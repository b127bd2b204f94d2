#include "dashboard/server/model/frame_order.h"

#include <catch2/catch.hpp>

#include "dashboard/server/model/error_events.h"

using namespace siagent::dashboard;

TEST_CASE("frame order: Python's innermost-first error profile is turned at ingest", "[dashboard][frames]") {
    CHECK(written_innermost_first("python", "error-profile"));
    CHECK_FALSE(written_innermost_first("python", "cpu-profile"));
    CHECK_FALSE(written_innermost_first("node.js", "error-profile"));
    CHECK_FALSE(written_innermost_first("native", "error-profile"));

    // As recorded from stackimpact-python 1.2.6: the raising function first below the root.
    CallTree sent;
    uint32_t raise = sent.child(CallTree::kRoot, "parse_payment (py_app.py:27)");
    uint32_t handler = sent.child(raise, "handle_request (py_app.py:31)");
    uint32_t message = sent.child(handler, "ValueError: payment declined: 42");
    uint32_t other = sent.child(sent.child(CallTree::kRoot, "load (py_app.py:50)"), "KeyError: 'x'");
    for (uint32_t node : {CallTree::kRoot, raise, handler, message}) sent.add(node, 65);
    sent.add(CallTree::kRoot, 2);
    sent.add(sent.parent(other), 2);
    sent.add(other, 2);

    const CallTree turned = with_paths_reversed(sent);
    CHECK(turned.value(CallTree::kRoot) == Approx(67));
    auto events = error_events(turned, 10, ErrorKind::exception);
    REQUIRE(events.size() == 2);
    CHECK(events[0].site == "parse_payment (py_app.py:27)");
    CHECK(events[0].frames == std::vector<std::string>{"parse_payment (py_app.py:27)", "handle_request (py_app.py:31)"});
    CHECK(events[0].count == Approx(65));
    CHECK(events[1].site == "load (py_app.py:50)");
    // Read without turning, the site would be the outermost frame: the bug this fixes.
    CHECK(error_events(sent, 10, ErrorKind::exception)[0].site == "handle_request (py_app.py:31)");
}
