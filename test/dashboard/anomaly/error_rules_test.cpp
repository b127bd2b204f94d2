// ErrorNovelty and ExceptionRate: new exception types, throw sites and crash signatures;
// jumps in the exception rate; each reported once.
#include <catch2/catch.hpp>

#include "dashboard/server/anomaly/error_novelty.h"
#include "dashboard/server/anomaly/exception_rate.h"

using namespace siagent::dashboard;
using namespace siagent::dashboard::anomaly;

namespace {

ErrorEvent event(const std::string& type, const std::string& site, double count = 1) {
    return ErrorEvent{type, type + ": what", site, {site, "main (m.cpp:1)"}, count};
}

}  // namespace

TEST_CASE("error novelty: a new type is reported once, a known one never", "[dashboard][anomaly]") {
    ErrorNovelty novelty;
    novelty.remember(false, "ParseError", "parse (p.cpp:3)", {});
    CHECK(novelty.observe({event("ParseError", "parse (p.cpp:3)", 5)}, false, false).empty());
    auto found = novelty.observe({event("ParseError", "parse (p.cpp:3)"), event("Timeout", "wait (w.cpp:9)", 3)}, false, false);
    REQUIRE(found.size() == 1);
    CHECK(found[0].rule == "new_type");
    CHECK(found[0].type == "Timeout");
    CHECK(found[0].site == "wait (w.cpp:9)");
    CHECK(found[0].count == 3);
    CHECK(novelty.observe({event("Timeout", "wait (w.cpp:9)", 7)}, false, false).empty());
}

TEST_CASE("error novelty: a known type from a new site is a new site", "[dashboard][anomaly]") {
    ErrorNovelty novelty;
    CHECK(novelty.observe({event("ParseError", "parse (p.cpp:3)")}, false, true).empty());  // warm-up
    auto found = novelty.observe({event("ParseError", "load (l.cpp:40)")}, false, false);
    REQUIRE(found.size() == 1);
    CHECK(found[0].rule == "new_site");
    CHECK(found[0].site == "load (l.cpp:40)");
}

TEST_CASE("error novelty: warm-up remembers without reporting", "[dashboard][anomaly]") {
    ErrorNovelty novelty;
    CHECK(novelty.observe({event("A", "a"), event("B", "b")}, false, true).empty());
    CHECK(novelty.observe({event("A", "a"), event("B", "b")}, false, false).empty());
    CHECK(novelty.observe({event("C", "c")}, false, false).size() == 1);
}

TEST_CASE("error novelty: crash signatures are signal plus top frames, reported even in warm-up", "[dashboard][anomaly]") {
    ErrorNovelty novelty;
    ErrorEvent segv{"SIGSEGV", "SIGSEGV", "crash_here (c.cpp:7)", {"crash_here (c.cpp:7)", "caller (c.cpp:20)", "main (c.cpp:30)", "start"}, 1};
    auto found = novelty.observe({segv}, true, true);
    REQUIRE(found.size() == 1);
    CHECK(found[0].rule == "new_crash");
    CHECK(found[0].frames.size() == 4);
    CHECK(novelty.observe({segv}, true, false).empty());
    // The same top three frames under another caller: the same signature.
    ErrorEvent deeper = segv;
    deeper.frames.back() = "other_start";
    CHECK(novelty.observe({deeper}, true, false).empty());
    ErrorEvent abort = segv;
    abort.type = "SIGABRT";
    CHECK(novelty.observe({abort}, true, false).size() == 1);
    CHECK(crash_signature("SIGSEGV", {"a", "b", "c", "d"}) == "SIGSEGV|a|b|c");
    // An abort's signature starts where the program called abort, not in libc.
    CHECK(crash_signature("SIGABRT", {"__pthread_kill_implementation (pthread_kill.c:44)", "raise (raise.c:26)",
                                      "abort (abort.c:79)", "check_order (shop.cpp:12)", "main (shop.cpp:40)"}) ==
          "SIGABRT|check_order (shop.cpp:12)|main (shop.cpp:40)");
    // A crash remembered from storage is not new.
    ErrorNovelty seeded;
    seeded.remember(true, "SIGSEGV", "", segv.frames);
    CHECK(seeded.observe({segv}, true, false).empty());
}

TEST_CASE("exception rate: a jump over a steady baseline is reported once per episode", "[dashboard][anomaly]") {
    ExceptionRate rate;
    int64_t t = 0;
    auto report = [&](double count, bool warming_up = false) { return rate.add(t += 60, count, warming_up); };
    for (int i = 0; i < 20; ++i) CHECK(!report(i % 2 ? 4 : 6));  // 5 a minute
    auto jump = report(60);
    REQUIRE(jump);
    CHECK(jump->count == 60);
    CHECK(jump->expected == Approx(5).margin(0.5));
    CHECK(jump->tail < 1e-6);
    CHECK(!report(70));  // the same episode
    CHECK(!report(5));   // back to normal: the episode ends
    CHECK(report(80));   // a new jump
}

TEST_CASE("exception rate: noise, warm-up and small counts are not jumps", "[dashboard][anomaly]") {
    ExceptionRate rate;
    int64_t t = 0;
    // A Poisson-ish 5 a minute with its natural spread (up to 12) is not a jump.
    const double counts[] = {5, 3, 8, 6, 2, 7, 4, 12, 5, 6, 9, 1, 5, 4, 11, 6, 3, 7, 5, 4};
    for (double count : counts) CHECK(!rate.add(t += 60, count, false));
    // From zero, a handful is not a jump; and nothing is during warm-up.
    ExceptionRate quiet;
    t = 0;
    for (int i = 0; i < 10; ++i) CHECK(!quiet.add(t += 60, 0, false));
    CHECK(!quiet.add(t += 60, 4, false));
    ExceptionRate warming;
    t = 0;
    for (int i = 0; i < 10; ++i) CHECK(!warming.add(t += 60, 1, true));
    CHECK(!warming.add(t += 60, 500, true));
    CHECK(warming.add(t += 60, 500, false));  // warm-up over, the rate still far above 1
}
