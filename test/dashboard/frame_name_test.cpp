#include "dashboard/server/frame_name.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard;

TEST_CASE("frame names with file and line", "[dashboard][frames]") {
    auto frame = parse_frame_name("burn_cpu (demo.cpp:12)");
    CHECK(frame.function == "burn_cpu");
    CHECK(frame.file == "demo.cpp");
    CHECK(frame.line == 12);
    CHECK(frame.column == 0);
}

TEST_CASE("Node.js frame names with a column", "[dashboard][frames]") {
    auto frame = parse_frame_name("handleRequest (/srv/app/server.js:42:17)");
    CHECK(frame.function == "handleRequest");
    CHECK(frame.file == "/srv/app/server.js");
    CHECK(frame.line == 42);
    CHECK(frame.column == 17);
}

TEST_CASE("C++ signatures keep their parentheses", "[dashboard][frames]") {
    auto frame = parse_frame_name("ns::Foo::bar(int, char const*) const (src/foo.cpp:7)");
    CHECK(frame.function == "ns::Foo::bar(int, char const*) const");
    CHECK(frame.file == "src/foo.cpp");
    CHECK(frame.line == 7);
}

TEST_CASE("frame names without line or location", "[dashboard][frames]") {
    auto file_only = parse_frame_name("memcpy (libc.so.6)");
    CHECK(file_only.function == "memcpy");
    CHECK(file_only.file == "libc.so.6");
    CHECK(file_only.line == 0);
    auto bare = parse_frame_name("main");
    CHECK(bare.function == "main");
    CHECK(bare.file.empty());
    auto go = parse_frame_name("main.work (/home/u/go/src/app/main.go:88)");
    CHECK(go.function == "main.work");
    CHECK(go.line == 88);
    auto windows = parse_frame_name("f (C:\\src\\a.py:3)");
    CHECK(windows.file == "C:\\src\\a.py");
    CHECK(windows.line == 3);
}
