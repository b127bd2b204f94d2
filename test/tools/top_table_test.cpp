#include "tools/top_table.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace siagent;

namespace {

// Truth by construction (cpu/nanoseconds, 100 ms in 10 samples):
//   burn(int)        flat 80 ms (60 at app.cc:12, 20 at app.cc:14), cum 80
//   inl_helper(int)  flat 10 (inlined into work at util.h:5),       cum 20
//   [libc.so.6]      flat 10 (unsymbolized),                         cum 10
//   work(int)        flat 0,                                         cum 20 (app.cc:30)
//   main             flat 0,                                         cum 100 (app.cc:50)
Profile known_profile() {
    Profile p;
    p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
    p.mappings = {{0x400000, 0x500000, 0, "/usr/bin/app", ""},
                  {0x7f0000000000, 0x7f0000200000, 0, "/lib/x86_64-linux-gnu/libc.so.6", ""}};
    p.frames.push_back({0x401000, 1, {{"burn(int)", "/src/app.cc", 12}}});
    p.frames.push_back(
        {0x401100, 1, {{"inl_helper(int)", "/src/util.h", 5}, {"work(int)", "/src/app.cc", 30}}});
    p.frames.push_back({0x401200, 1, {{"main", "/src/app.cc", 50}}});
    p.frames.push_back({0x7f0000001234, 2, {}});
    p.frames.push_back({0x401010, 1, {{"burn(int)", "/src/app.cc", 14}}});
    p.samples.push_back({{0, 2}, {6, 60'000'000}, {}});
    p.samples.push_back({{4, 2}, {2, 20'000'000}, {}});
    p.samples.push_back({{1, 2}, {1, 10'000'000}, {}});
    p.samples.push_back({{3, 1, 2}, {1, 10'000'000}, {}});
    p.comments = {"test profile"};
    return p;
}

TopTable top(const std::vector<NamedProfile>& in, const TopOptions& options = {}) {
    std::string error;
    auto t = compute_top(in, options, error);
    INFO(error);
    REQUIRE(t);
    return *t;
}

std::vector<std::string> names(const TopTable& t) {
    std::vector<std::string> out;
    for (const TopRow& r : t.rows) out.push_back(r.function);
    return out;
}

}  // namespace

TEST_CASE("top ranks by flat value with hottest lines and modules") {
    const TopTable t = top({{"a.pb.gz", known_profile()}});
    CHECK(t.sample_type.type == "cpu");
    CHECK(t.total == 100'000'000);
    CHECK(t.count == 10);
    CHECK(t.count_name == "samples");
    CHECK(t.functions == 5);
    // Ties on flat go to the larger cum, then to the name.
    CHECK(names(t) == std::vector<std::string>{"burn(int)", "inl_helper(int)", "[libc.so.6]",
                                               "main", "work(int)"});
    const TopRow& burn = t.rows[0];
    CHECK(burn.flat == 80'000'000);
    CHECK(burn.cum == 80'000'000);
    CHECK(burn.file == "/src/app.cc");
    CHECK(burn.line == 12);  // 60 ms beats 20 ms at line 14
    CHECK(burn.module == "app");
    CHECK(t.rows[1].file == "/src/util.h");
    CHECK(t.rows[2].file.empty());
    CHECK(t.rows[2].module == "libc.so.6");
    CHECK(t.rows[4].line == 30);  // never a leaf: hottest by cum
}

TEST_CASE("top renders exact percentages, human units and comments") {
    const std::string expected =
        "cpu: 100 ms total in 10 samples, 1 file\n"
        "rank   flat%     cum%     flat  function         location   module\n"
        "   1  80.00%   80.00%  80.0 ms  burn(int)        app.cc:12  app\n"
        "   2  10.00%   20.00%  10.0 ms  inl_helper(int)  util.h:5   app\n"
        "   3  10.00%   10.00%  10.0 ms  [libc.so.6]      ?          libc.so.6\n"
        "   4   0.00%  100.00%        0  main             app.cc:50  app\n"
        "   5   0.00%   20.00%        0  work(int)        app.cc:30  app\n"
        "# test profile\n";
    CHECK(render_top(top({{"a.pb.gz", known_profile()}})) == expected);
}

TEST_CASE("top --cum counts every function on the stack once") {
    Profile p = known_profile();
    // Recursion: main -> work -> work -> burn must add to work's cum once, not twice.
    p.frames.push_back({0x401300, 1, {{"work(int)", "/src/app.cc", 31}}});
    p.samples.push_back({{0, 5, 5, 2}, {10, 100'000'000}, {}});
    TopOptions options;
    options.sort_by_cum = true;
    const TopTable t = top({{"a", p}}, options);
    CHECK(t.total == 200'000'000);
    CHECK(names(t) == std::vector<std::string>{"main", "burn(int)", "work(int)", "inl_helper(int)",
                                               "[libc.so.6]"});
    CHECK(t.rows[0].cum == 200'000'000);
    CHECK(t.rows[1].cum == 180'000'000);
    CHECK(t.rows[2].cum == 120'000'000);
    CHECK(t.rows[2].line == 31);  // 100 ms through the recursive call site beats 20 at line 30
}

TEST_CASE("top merges profiles of one kind") {
    Profile second = known_profile();
    second.samples = {{{3, 2}, {5, 50'000'000}, {}}};  // 50 ms more in libc, under main
    second.comments = {"test profile", "second"};
    const TopTable t = top({{"a", known_profile()}, {"b", second}});
    CHECK(t.files == 2);
    CHECK(t.total == 150'000'000);
    CHECK(t.count == 15);
    CHECK(names(t)[1] == "[libc.so.6]");
    CHECK(t.rows[1].flat == 60'000'000);
    CHECK(t.comments == std::vector<std::string>{"test profile", "second"});
    const std::string text = render_top(t);
    CHECK(text.rfind("cpu: 150 ms total in 15 samples, 2 files\n", 0) == 0);
    CHECK_THAT(text, Catch::Contains("   2  40.00%   40.00%  60.0 ms  [libc.so.6]"));

    std::string error;
    std::optional<Profile> merged = merge_profiles({{"a", known_profile()}, {"b", second}}, error);
    REQUIRE(merged);
    CHECK(merged->frames.size() == 10);
    CHECK(merged->mappings.size() == 4);
    CHECK(merged->samples.back().frames == std::vector<uint32_t>{8, 7});
    CHECK(merged->frames[8].mapping_index == 4);
}

TEST_CASE("top refuses profiles of different kinds, naming the files") {
    Profile alloc;
    alloc.sample_types = {{"alloc_objects", "count"}, {"alloc_space", "bytes"}};
    std::string error;
    CHECK_FALSE(
        compute_top({{"cpu-1-1.pb.gz", known_profile()}, {"alloc-1-1.pb.gz", alloc}}, {}, error));
    CHECK_THAT(error, Catch::Contains("cpu-1-1.pb.gz") && Catch::Contains("alloc-1-1.pb.gz") &&
                          Catch::Contains("alloc_space/bytes"));
    CHECK_FALSE(compute_top({}, {}, error));
}

TEST_CASE("top picks the sample index by name or number, and cuts rows") {
    TopOptions options;
    options.sample_index = "samples";
    options.rows = 2;
    TopTable t = top({{"a", known_profile()}}, options);
    CHECK(t.sample_type.type == "samples");
    CHECK(t.total == 10);
    CHECK(t.count_name == "stacks");  // no other count type to call "samples"
    CHECK(t.count == 4);
    CHECK(t.rows.size() == 2);
    CHECK(t.functions == 5);
    CHECK(render_top(t) ==
          "samples: 10 total in 4 stacks, 1 file\n"
          "rank   flat%    cum%  flat  function         location   module\n"
          "   1  80.00%  80.00%     8  burn(int)        app.cc:12  app\n"
          "   2  10.00%  20.00%     1  inl_helper(int)  util.h:5   app\n"
          "(2 of 5 functions shown)\n"
          "# test profile\n");

    options.sample_index = "1";
    options.rows = 0;
    t = top({{"a", known_profile()}}, options);
    CHECK(t.sample_type.type == "cpu");
    CHECK(t.rows.size() == 5);

    std::string error;
    for (const char* bad : {"2", "alloc", "99999999999999999999"}) {
        options.sample_index = bad;
        CHECK_FALSE(compute_top({{"a", known_profile()}}, options, error));
        CHECK_THAT(error, Catch::Contains("0=samples 1=cpu"));
    }
}

TEST_CASE("top handles empty profiles and unknown code") {
    Profile p;
    p.sample_types = {{"errors", "count"}};
    p.frames.push_back({0xabc, 0, {}});
    TopTable t = top({{"a", p}});
    CHECK(render_top(t) ==
          "errors: 0 total in 0 stacks, 1 file\n"
          "rank  flat%  cum%  flat  function  location  module\n");
    p.samples.push_back({{0}, {3}, {}});
    t = top({{"a", p}});
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].function == "0xabc");
    CHECK(t.rows[0].module.empty());
}

TEST_CASE("format_value uses human units") {
    CHECK(format_value(0, "nanoseconds") == "0");
    CHECK(format_value(999, "nanoseconds") == "999 ns");
    CHECK(format_value(1500, "nanoseconds") == "1.50 us");
    CHECK(format_value(12'345'678, "nanoseconds") == "12.3 ms");
    CHECK(format_value(999'700'000, "nanoseconds") == "1.00 s");
    CHECK(format_value(3'020'000'000, "nanoseconds") == "3.02 s");
    CHECK(format_value(-20'000'000, "nanoseconds") == "-20.0 ms");
    CHECK(format_value(512, "bytes") == "512 B");
    CHECK(format_value(1536, "bytes") == "1.50 KiB");
    CHECK(format_value(200 << 20, "bytes") == "200 MiB");
    CHECK(format_value(int64_t{3} << 40, "bytes") == "3.00 TiB");
    CHECK(format_value(302, "count") == "302");
    CHECK(format_value(5, "widgets") == "5 widgets");
}
