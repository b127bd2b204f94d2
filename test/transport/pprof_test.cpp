#include "transport/pprof.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

using namespace siagent;

namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string out;
    for (int b : list) out.push_back(static_cast<char>(b));
    return out;
}

// Test-side protobuf helpers, independent of the code under test.
std::string varint(uint64_t v) {
    std::string out;
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
    return out;
}
std::string tag(int field, int wire) { return varint(static_cast<uint64_t>(field) << 3 | wire); }
std::string vfield(int field, uint64_t v) { return tag(field, 0) + varint(v); }
std::string lfield(int field, const std::string& body) {
    return tag(field, 2) + varint(body.size()) + body;
}

struct TopField {
    int number;
    std::string body;
};
// Splits a message into its length-delimited top-level fields (others are skipped).
std::vector<TopField> split(const std::string& msg) {
    std::vector<TopField> out;
    size_t i = 0;
    auto read = [&]() {
        uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
            const auto b = static_cast<unsigned char>(msg.at(i++));
            v |= uint64_t{b & 0x7fu} << shift;
            if (!(b & 0x80)) return v;
        }
    };
    while (i < msg.size()) {
        const uint64_t t = read();
        if ((t & 7) == 2) {
            const uint64_t len = read();
            out.push_back({static_cast<int>(t >> 3), msg.substr(i, len)});
            i += len;
        } else {
            read();
        }
    }
    return out;
}

Profile rich_profile() {
    Profile p;
    p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
    p.period_type = {"cpu", "nanoseconds"};
    p.period = 10'000'000;
    p.time_nanos = 1'700'000'000'123'456'789;
    p.duration_nanos = 60'000'000'000;
    p.mappings = {{0x400000, 0x500000, 0, "/usr/bin/app", "deadbeef"},
                  {0x7f0000000000, 0x7f0000200000, 0x1000, "/lib/x86_64-linux-gnu/libc.so.6", ""}};
    // 0: leaf with two inlined callees inside `work`.
    p.frames.push_back(
        {0x401234,
         1,
         {{"std::vector<int>::size() const", "/usr/include/c++/12/bits/stl_vector.h", 919},
          {"inl_helper(int)", "/src/util.h", 5},
          {"work(int)", "/src/app.cc", 30}}});
    p.frames.push_back({0x401500, 1, {{"main", "/src/app.cc", 50}}});
    p.frames.push_back({0x7f0000001234, 2, {}});                            // unsymbolized libc
    p.frames.push_back({0x401600, 1, {{"work(int)", "/src/app.cc", 33}}});  // same function again
    p.frames.push_back({0xdead, 0, {{"", "", 0}}});  // unknown mapping, empty line
    p.samples.push_back({{0, 1}, {7, 70'000'000}, {{"thread", "main"}, {"span", "GET /"}}});
    p.samples.push_back({{2, 3, 1}, {1, 10'000'000}, {{"thread", "worker-1"}}});
    p.samples.push_back({{4}, {-3, -1}, {}});  // negative values (diffs) survive
    p.samples.push_back({{}, {0, 0}, {}});
    p.comments = {"siagent 0.1", "dropped 0 samples"};
    return p;
}

void check_same(const Profile& a, const Profile& b) {
    REQUIRE(a.sample_types.size() == b.sample_types.size());
    for (size_t i = 0; i < a.sample_types.size(); ++i) {
        CHECK(a.sample_types[i].type == b.sample_types[i].type);
        CHECK(a.sample_types[i].unit == b.sample_types[i].unit);
    }
    CHECK(a.period_type.type == b.period_type.type);
    CHECK(a.period_type.unit == b.period_type.unit);
    CHECK(a.period == b.period);
    CHECK(a.time_nanos == b.time_nanos);
    CHECK(a.duration_nanos == b.duration_nanos);
    REQUIRE(a.mappings.size() == b.mappings.size());
    for (size_t i = 0; i < a.mappings.size(); ++i) {
        CHECK(a.mappings[i].start == b.mappings[i].start);
        CHECK(a.mappings[i].limit == b.mappings[i].limit);
        CHECK(a.mappings[i].file_offset == b.mappings[i].file_offset);
        CHECK(a.mappings[i].path == b.mappings[i].path);
        CHECK(a.mappings[i].build_id == b.mappings[i].build_id);
    }
    REQUIRE(a.frames.size() == b.frames.size());
    for (size_t i = 0; i < a.frames.size(); ++i) {
        INFO("frame " << i);
        CHECK(a.frames[i].address == b.frames[i].address);
        CHECK(a.frames[i].mapping_index == b.frames[i].mapping_index);
        REQUIRE(a.frames[i].lines.size() == b.frames[i].lines.size());
        for (size_t k = 0; k < a.frames[i].lines.size(); ++k) {
            CHECK(a.frames[i].lines[k].function == b.frames[i].lines[k].function);
            CHECK(a.frames[i].lines[k].file == b.frames[i].lines[k].file);
            CHECK(a.frames[i].lines[k].line == b.frames[i].lines[k].line);
        }
    }
    REQUIRE(a.samples.size() == b.samples.size());
    for (size_t i = 0; i < a.samples.size(); ++i) {
        INFO("sample " << i);
        CHECK(a.samples[i].frames == b.samples[i].frames);
        CHECK(a.samples[i].values == b.samples[i].values);
        REQUIRE(a.samples[i].labels.size() == b.samples[i].labels.size());
        for (size_t k = 0; k < a.samples[i].labels.size(); ++k) {
            CHECK(a.samples[i].labels[k].key == b.samples[i].labels[k].key);
            CHECK(a.samples[i].labels[k].value == b.samples[i].labels[k].value);
        }
    }
    CHECK(a.comments == b.comments);
}

Profile decode_ok(const std::string& data) {
    std::string error;
    auto p = decode_pprof(data, error);
    INFO(error);
    REQUIRE(p);
    return *p;
}

std::string decode_error(const std::string& data) {
    std::string error;
    auto p = decode_pprof(data, error);
    CHECK_FALSE(p);
    CHECK(error.rfind("pprof: ", 0) == 0);
    return error;
}

// string_table = ["", "samples", "count"], sample_type = {1, 2}: a valid base to extend.
std::string base_profile() {
    return lfield(1, vfield(1, 1) + vfield(2, 2)) + lfield(6, "") + lfield(6, "samples") +
           lfield(6, "count");
}

}  // namespace

TEST_CASE("pprof round trip keeps inlined frames, labels, comments and mappings") {
    const Profile p = rich_profile();
    const std::string data = encode_pprof(p);
    check_same(p, decode_ok(data));
    CHECK(encode_pprof(decode_ok(data)) == data);  // stable: same model, same bytes
}

TEST_CASE("pprof encoder deduplicates strings and functions, \"\" first") {
    const std::string data = encode_pprof(rich_profile());
    std::vector<std::string> strings;
    size_t functions = 0, locations = 0, mappings = 0;
    for (const TopField& f : split(data)) {
        if (f.number == 6) strings.push_back(f.body);
        functions += f.number == 5;
        locations += f.number == 4;
        mappings += f.number == 3;
    }
    REQUIRE_FALSE(strings.empty());
    CHECK(strings[0].empty());
    CHECK(std::set<std::string>(strings.begin(), strings.end()).size() == strings.size());
    // "cpu"/"nanoseconds" serve sample_type and period_type; "/src/app.cc" three lines.
    CHECK(std::count(strings.begin(), strings.end(), "cpu") == 1);
    CHECK(std::count(strings.begin(), strings.end(), "/src/app.cc") == 1);
    // work(int) appears in two frames but is one Function; the empty line has none.
    CHECK(functions == 4);
    CHECK(locations == 5);
    CHECK(mappings == 2);
}

TEST_CASE("pprof encoder matches a hand-made byte sequence field by field") {
    Profile p;
    p.sample_types = {{"samples", "count"}};
    p.frames.push_back({0x10, 0, {{"main", "m.c", 3}}});
    p.samples.push_back({{0}, {7}, {}});
    p.time_nanos = 1;
    p.duration_nanos = 300;
    p.comments = {"hi"};
    // Strings are numbered in order of first use: ""=0 samples=1 count=2 main=3 m.c=4 hi=5.
    const std::string expected =
        bytes({
            0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,              // sample_type {type=1 unit=2}
            0x12, 0x06, 0x0a, 0x01, 0x01, 0x12, 0x01, 0x07,  // sample {location_id=[1] value=[7]}
            0x22, 0x0a, 0x08, 0x01, 0x18, 0x10,              // location {id=1 address=0x10
            0x22, 0x04, 0x08, 0x01, 0x10, 0x03,              //   line {function_id=1 line=3}}
            0x2a, 0x08, 0x08, 0x01, 0x10, 0x03, 0x18, 0x03, 0x20, 0x04,  // function {1 3 3 4}
            0x48, 0x01,                                                  // time_nanos=1
            0x50, 0xac, 0x02,                                            // duration_nanos=300
            0x6a, 0x01, 0x05,                                            // comment=[5] (packed)
            0x32, 0x00,                                                  // string_table ""
        }) +
        bytes({0x32, 0x07}) + "samples" + bytes({0x32, 0x05}) + "count" + bytes({0x32, 0x04}) +
        "main" + bytes({0x32, 0x03}) + "m.c" + bytes({0x32, 0x02}) + "hi";
    CHECK(encode_pprof(p) == expected);
    check_same(p, decode_ok(expected));
}

TEST_CASE("pprof encoder writes negative int64 as 10-byte two's complement") {
    Profile p;
    p.sample_types = {{"delta", "count"}};
    p.samples.push_back({{}, {-1}, {}});
    const std::string data = encode_pprof(p);
    const std::string sample =
        lfield(2, lfield(2, bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})));
    CHECK(data.find(sample) != std::string::npos);
    CHECK(decode_ok(data).samples.at(0).values == std::vector<int64_t>{-1});
}

TEST_CASE("pprof mapping flags claim only what every frame of the mapping has") {
    Profile p;
    p.sample_types = {{"samples", "count"}};
    p.mappings = {
        {1, 2, 0, "/a", ""}, {3, 4, 0, "/b", ""}, {5, 6, 0, "/c", ""}, {7, 8, 0, "/d", ""}};
    p.frames.push_back({1, 1, {{"f", "f.c", 1}}});
    p.frames.push_back({1, 1, {{"g", "g.c", 2}, {"h", "h.c", 3}}});
    p.frames.push_back({3, 2, {{"f", "f.c", 1}}});
    p.frames.push_back({3, 2, {}});              // one unsymbolized frame spoils /b
    p.frames.push_back({5, 3, {{"k", "", 0}}});  // names without files or lines
    // /d has no frames: it claims nothing.
    std::vector<std::vector<uint64_t>> flags;  // per mapping: fields 7, 8, 9, 10
    for (const TopField& f : split(encode_pprof(p))) {
        if (f.number != 3) continue;
        std::vector<uint64_t> v(4, 0);
        for (int field = 7; field <= 10; ++field) {
            if (f.body.find(vfield(field, 1)) != std::string::npos) v[field - 7] = 1;
        }
        flags.push_back(v);
    }
    REQUIRE(flags.size() == 4);
    CHECK(flags[0] == std::vector<uint64_t>{1, 1, 1, 1});
    CHECK(flags[1] == std::vector<uint64_t>{0, 0, 0, 0});
    CHECK(flags[2] == std::vector<uint64_t>{1, 0, 0, 1});
    CHECK(flags[3] == std::vector<uint64_t>{0, 0, 0, 0});
}

TEST_CASE("pprof encoder repairs model errors into valid pprof") {
    Profile p;
    p.sample_types = {{"a", "count"}, {"b", "count"}};
    p.frames.push_back({1, 9, {}});          // mapping index past the end: written as none
    p.samples.push_back({{0, 5}, {4}, {}});  // frame 5 does not exist; one value missing
    const Profile back = decode_ok(encode_pprof(p));
    CHECK(back.frames.at(0).mapping_index == 0);
    CHECK(back.samples.at(0).frames == std::vector<uint32_t>{0});
    CHECK(back.samples.at(0).values == std::vector<int64_t>{4, 0});
}

TEST_CASE("pprof decoder accepts unpacked repeated fields, skips unknown fields, resolves ids") {
    const std::string location = vfield(1, 42) + vfield(2, 7) + vfield(3, 0x99) +
                                 lfield(4, vfield(1, 9) + vfield(2, 12) + vfield(3, 4)) +
                                 vfield(5, 0);  // is_folded, column: ignored
    const std::string data =
        base_profile() + lfield(6, "f") + lfield(6, "/x/f.c") + lfield(6, "/lib/x.so") +
        lfield(6, "k") + lfield(6, "v") + lfield(6, "ms") +
        lfield(3, vfield(1, 7) + vfield(2, 100) + vfield(3, 200) + vfield(5, 5) + vfield(7, 1)) +
        lfield(4, location) +
        lfield(5, vfield(1, 9) + vfield(2, 3) + vfield(4, 4) + vfield(5, 11)) +
        lfield(2, vfield(1, 42) + vfield(1, 42) + vfield(2, 5) +  // unpacked location ids
                      lfield(3, vfield(1, 6) + vfield(2, 7)) +    // string label
                      lfield(3, vfield(1, 6) + vfield(3, 250) + vfield(4, 8))) +  // numeric
        vfield(7, 3) +
        vfield(8, 3) + vfield(14, 1) +  // drop/keep frames, default
        tag(99, 1) + std::string(8, 'x') + tag(98, 5) + std::string(4, 'y') +  // fixed widths
        lfield(97, "whatever") + vfield(96, 12345) + lfield(13, varint(7)) +
        vfield(13, 8);  // comments, packed and unpacked
    const Profile p = decode_ok(data);
    REQUIRE(p.mappings.size() == 1);
    CHECK(p.mappings[0].path == "/lib/x.so");
    REQUIRE(p.frames.size() == 1);
    CHECK(p.frames[0].mapping_index == 1);
    CHECK(p.frames[0].address == 0x99);
    REQUIRE(p.frames[0].lines.size() == 1);
    CHECK(p.frames[0].lines[0].function == "f");
    CHECK(p.frames[0].lines[0].file == "/x/f.c");
    CHECK(p.frames[0].lines[0].line == 12);
    REQUIRE(p.samples.size() == 1);
    CHECK(p.samples[0].frames == std::vector<uint32_t>{0, 0});
    CHECK(p.samples[0].values == std::vector<int64_t>{5});
    REQUIRE(p.samples[0].labels.size() == 2);
    CHECK(p.samples[0].labels[0].value == "v");
    CHECK(p.samples[0].labels[1].key == "k");
    CHECK(p.samples[0].labels[1].value == "250 ms");
    CHECK(p.comments == std::vector<std::string>{"v", "ms"});
}

TEST_CASE("pprof decoder: empty input is an empty profile") {
    const Profile p = decode_ok("");
    CHECK(p.sample_types.empty());
    CHECK(p.samples.empty());
}

TEST_CASE("pprof decoder rejects malformed input with a clear error") {
    const std::string base = base_profile();
    const std::string sample = lfield(2, vfield(2, 1));
    CHECK(decode_ok(base + sample).samples.size() == 1);

    SECTION("truncated varints") {
        CHECK(decode_error(bytes({0x48})).find("truncated varint") != std::string::npos);
        CHECK(decode_error(bytes({0x48, 0x80})).find("truncated varint") != std::string::npos);
        CHECK(decode_error(bytes({0x80})).find("truncated varint") != std::string::npos);
        // Inside a packed list inside a sample.
        CHECK(decode_error(base + lfield(2, lfield(2, bytes({0x81})))).find("truncated varint") !=
              std::string::npos);
    }
    SECTION("varints past 64 bits") {
        CHECK(
            decode_error(bytes({0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}))
                .find("64 bits") != std::string::npos);
        CHECK_FALSE(decode_error(bytes({0x48, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                        0x80, 0x00}))
                        .empty());
    }
    SECTION("lengths past the end of the message") {
        CHECK(decode_error(base + bytes({0x12, 0x05, 0x10, 0x01})).find("runs past") !=
              std::string::npos);
        CHECK(decode_error(base + bytes({0x32, 0xff, 0xff, 0xff, 0xff, 0x0f})).find("runs past") !=
              std::string::npos);
        // The inner length fits the input but not its enclosing sample.
        CHECK(decode_error(base + bytes({0x12, 0x02, 0x1a, 0x05}) + std::string(5, '\0'))
                  .find("runs past") != std::string::npos);
        CHECK(decode_error(base + bytes({0x49, 1, 2, 3})).find("truncated") != std::string::npos);
    }
    SECTION("out-of-range string indices") {
        CHECK(decode_error(lfield(1, vfield(1, 3)) + lfield(6, "")).find("string 3") !=
              std::string::npos);
        CHECK(decode_error(base + vfield(13, 3)).find("Profile.comment") != std::string::npos);
        CHECK(decode_error(base + vfield(13, static_cast<uint64_t>(-1))).find("string -1") !=
              std::string::npos);
        CHECK(
            decode_error(base + lfield(3, vfield(1, 1) + vfield(5, 99))).find("Mapping.filename") !=
            std::string::npos);
        CHECK(decode_error(base + lfield(2, vfield(2, 1) + lfield(3, vfield(1, 1) + vfield(2, 9))))
                  .find("Label.str") != std::string::npos);
        CHECK(decode_error(base + lfield(5, vfield(1, 1) + vfield(2, 50)) +
                           lfield(4, vfield(1, 1) + lfield(4, vfield(1, 1))))
                  .find("Function.name") != std::string::npos);
        CHECK(decode_error(lfield(6, "not empty")).find("string_table[0]") != std::string::npos);
    }
    SECTION("out-of-range ids") {
        CHECK(decode_error(base + lfield(2, vfield(1, 5) + vfield(2, 1)))
                  .find("missing Location 5") != std::string::npos);
        CHECK(
            decode_error(base + lfield(4, vfield(1, 1) + vfield(2, 3))).find("missing Mapping 3") !=
            std::string::npos);
        CHECK(decode_error(base + lfield(4, vfield(1, 1) + lfield(4, vfield(1, 8))))
                  .find("missing Function 8") != std::string::npos);
        CHECK(decode_error(base + lfield(4, vfield(1, 1)) + lfield(4, vfield(1, 1)))
                  .find("duplicate Location id 1") != std::string::npos);
        CHECK(decode_error(base + lfield(3, vfield(1, 2)) + lfield(3, vfield(1, 2)))
                  .find("duplicate Mapping id 2") != std::string::npos);
        CHECK(decode_error(base + lfield(5, vfield(1, 4)) + lfield(5, vfield(1, 4)))
                  .find("duplicate Function id 4") != std::string::npos);
        CHECK(decode_error(base + lfield(4, vfield(3, 1))).find("reserved") != std::string::npos);
        CHECK(decode_error(base + lfield(3, "")).find("reserved") != std::string::npos);
        CHECK(decode_error(base + lfield(5, vfield(2, 1))).find("reserved") != std::string::npos);
    }
    SECTION("wrong wire types for known fields") {
        CHECK(decode_error(bytes({0x08, 0x01})).find("Profile.sample_type has wire type 0") !=
              std::string::npos);
        CHECK(decode_error(base + lfield(9, "")).find("Profile.time_nanos") != std::string::npos);
        CHECK(decode_error(base + lfield(2, tag(2, 5) + "abcd")).find("Sample.value") !=
              std::string::npos);
        CHECK(decode_error(base + lfield(2, tag(1, 1) + "abcdefgh")).find("Sample.location_id") !=
              std::string::npos);
        CHECK(decode_error(base + lfield(4, vfield(1, 1) + vfield(4, 1))).find("Location.line") !=
              std::string::npos);
        CHECK(decode_error(base + lfield(3, vfield(1, 1) + lfield(7, ""))).find("Mapping.has_*") !=
              std::string::npos);
        CHECK(decode_error(base + vfield(6, 0)).find("string_table") != std::string::npos);
    }
    SECTION("groups, undefined wire types and field 0") {
        CHECK(decode_error(base + tag(20, 3)).find("wire type 3") != std::string::npos);
        CHECK(decode_error(base + tag(20, 4)).find("wire type 4") != std::string::npos);
        CHECK(decode_error(base + tag(20, 7)).find("wire type 7") != std::string::npos);
        CHECK(decode_error(base + bytes({0x00, 0x00})).find("field number") != std::string::npos);
    }
    SECTION("a sample's value count must match the sample types") {
        CHECK(decode_error(base + lfield(2, lfield(2, varint(1) + varint(2)))).find("2 values") !=
              std::string::npos);
    }
}

TEST_CASE("pprof decoder survives every truncation and byte flip of a real profile") {
    const std::string data = encode_pprof(rich_profile());
    std::string error;
    for (size_t n = 0; n < data.size(); ++n) {
        auto p = decode_pprof(std::string_view(data).substr(0, n), error);
        if (p) {  // a prefix can end on a field boundary; it must then be self-consistent
            CHECK(decode_pprof(encode_pprof(*p), error));
        }
    }
    size_t rejected = 0;
    for (size_t at = 0; at < data.size(); ++at) {
        for (int mask : {0x01, 0x80, 0xff}) {
            std::string bad = data;
            bad[at] = static_cast<char>(bad[at] ^ mask);
            error.clear();
            auto p = decode_pprof(bad, error);
            if (!p) {
                ++rejected;
                CHECK_FALSE(error.empty());
            }
        }
    }
    CHECK(rejected > 0);
}
