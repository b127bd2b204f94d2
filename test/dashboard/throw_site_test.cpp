// Error sites that do not depend on where a process loaded its libraries, and crash
// headlines that name the program, not abort().
#include <catch2/catch.hpp>

#include "dashboard/server/model/throw_site.h"

using namespace siagent::dashboard;

TEST_CASE("unnamed frames: module and offset, or an address with or without its module", "[dashboard][errors]") {
    CHECK(is_unnamed_frame("libstdc++.so.6+0x9a26c"));
    CHECK(is_unnamed_frame("0x7fcd0aaa026c (libstdc++.so.6.0.30)"));
    CHECK(is_unnamed_frame("0x7fcd0aaa026c"));
    CHECK_FALSE(is_unnamed_frame("parse (p.cpp:3)"));
    CHECK_FALSE(is_unnamed_frame("operator+ (p.cpp:3)"));
    CHECK_FALSE(is_unnamed_frame("0xdead_beef"));
    CHECK_FALSE(is_unnamed_frame("lib+0x"));
}

TEST_CASE("a throw site is the innermost named frame, the same under any load address", "[dashboard][errors]") {
    // std::out_of_range from vector::at: libstdc++'s throw helper has no name.
    const std::vector<std::string> first_process{"0x7fcd0aaa026c (libstdc++.so.6.0.30)",
                                                 "std::vector::_M_range_check (stl_vector.h:1075)", "lookup (t.cpp:9)"};
    const std::vector<std::string> second_process{"0x7f11c2b9e26c (libstdc++.so.6.0.30)",
                                                  "std::vector::_M_range_check (stl_vector.h:1075)", "lookup (t.cpp:9)"};
    const std::vector<std::string> current_agent{"libstdc++.so.6.0.30+0x9a26c",
                                                 "std::vector::_M_range_check (stl_vector.h:1075)", "lookup (t.cpp:9)"};
    CHECK(throw_site(first_process) == "std::vector::_M_range_check (stl_vector.h:1075)");
    CHECK(throw_site(second_process) == throw_site(first_process));
    CHECK(throw_site(current_agent) == throw_site(first_process));
    // Nothing named: the module.
    CHECK(throw_site({"0x7fcd0aaa026c (libfoo.so)", "0x7fcd0aaa0000"}) == "libfoo.so");
    CHECK(throw_site({"libfoo.so+0x26c"}) == "libfoo.so");
    CHECK(throw_site({"0x7fcd0aaa026c"}).empty());
    CHECK(throw_site({}).empty());
}

TEST_CASE("a crash's headline skips abort, raise, terminate and the agent's hooks", "[dashboard][errors]") {
    // What an uncaught exception's SIGABRT looks like (crash_kinds uncaught).
    const std::vector<std::string> uncaught{
        "__pthread_kill_implementation (pthread_kill.c:44)", "raise (raise.c:26)", "abort (abort.c:79)",
        "libstdc++.so.6+0x9d918", "siagent::(anonymous namespace)::on_terminate() (terminate_hook.cpp:44)",
        "0x7f9189ca8e1a (libstdc++.so.6)", "std::terminate()", "__cxa_throw",
        "(anonymous namespace)::crash_throw() (crash_kinds.cpp:39)", "main.cold (crash_kinds.cpp:56)"};
    CHECK(crash_site(uncaught) == "(anonymous namespace)::crash_throw() (crash_kinds.cpp:39)");
    CHECK(program_frames(uncaught).size() == 2);
    CHECK(crash_site({"__assert_fail_base (assert.c:92)", "__assert_fail", "check (c.cpp:4)"}) == "check (c.cpp:4)");
    // A fault in the program is its own headline; a fault in libc's memcpy too (named).
    CHECK(crash_site({"crash_here (crash.cpp:7)", "main (crash.cpp:20)"}) == "crash_here (crash.cpp:7)");
    CHECK(crash_site({"__memmove_avx_unaligned_erms (memmove.S:314)", "copy (c.cpp:2)"}) ==
          "__memmove_avx_unaligned_erms (memmove.S:314)");
    // Only delivery frames: the stack as it is.
    CHECK(program_frames({"raise (raise.c:26)", "abort (abort.c:79)"}).size() == 2);
    CHECK(crash_site({"raise (raise.c:26)", "abort (abort.c:79)"}) == "raise (raise.c:26)");
}
