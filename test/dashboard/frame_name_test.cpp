#include "dashboard/server/model/frame_name.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard;

TEST_CASE("frame names of every agent", "[dashboard][frames]") {
    struct Case {
        const char* name;
        FrameLocation expected;
    };
    const Case cases[] = {
        {"burn_cpu (demo.cpp:12)", {"burn_cpu", "demo.cpp", 12, 0}},                                 // siagent
        {"handleRequest (/srv/app/server.js:42:17)", {"handleRequest", "/srv/app/server.js", 42, 17}},  // Node.js
        {"main.work (/home/u/go/src/app/main.go:88)", {"main.work", "/home/u/go/src/app/main.go", 88, 0}},  // Go
        {"ns::Foo::bar(int, char const*) const (src/foo.cpp:7)", {"ns::Foo::bar(int, char const*) const", "src/foo.cpp", 7, 0}},
        {"memcpy (libc.so.6)", {"memcpy", "libc.so.6", 0, 0}},
        {"f (C:\\src\\a.py:3)", {"f", "C:\\src\\a.py", 3, 0}},
        {"main", {"main", "", 0, 0}},
        {"(anonymous)", {"(anonymous)", "", 0, 0}},
        // Recorded from the released agents (test/dashboard/api/recorded): Node.js names an
        // anonymous function by its location; Python's allocation frames are file:line.
        {" (/tmp/rec/node/node_app.js:20:47)", {"(anonymous)", "/tmp/rec/node/node_app.js", 20, 47}},
        {"py_app.py:19", {"py_app.py:19", "py_app.py", 19, 0}},
        {"/usr/lib/python3.6/threading.py:884", {"/usr/lib/python3.6/threading.py:884", "/usr/lib/python3.6/threading.py", 884, 0}},
        // Not a file: a C++ name, a bare word with a number.
        {"std::chrono::foo:3", {"std::chrono::foo:3", "", 0, 0}},
        {"worker:3", {"worker:3", "", 0, 0}},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        const FrameLocation frame = parse_frame_name(c.name);
        CHECK(frame.function == c.expected.function);
        CHECK(frame.file == c.expected.file);
        CHECK(frame.line == c.expected.line);
        CHECK(frame.column == c.expected.column);
    }
}
