#include "dashboard/server/model/pprof_export.h"

#include <catch2/catch.hpp>

#include <map>

#include "transport/pprof.h"

using namespace siagent::dashboard;

namespace {

// root -> main -> {burn: 60, run -> burn: 10}, main self 5
MergedProfile sample() {
    MergedProfile merged;
    merged.kind = "cpu";
    merged.category = "cpu";
    merged.name = "cpu-usage";
    merged.unit = "nanoseconds";
    merged.reports = 3;
    CallTree& tree = merged.tree;
    const uint32_t main = tree.child(CallTree::kRoot, "main (a.cpp:1)");
    tree.add(tree.child(main, "burn (a.cpp:5)"), 60);
    const uint32_t run = tree.child(main, "run (b.cpp:7)");
    tree.add(tree.child(run, "burn (a.cpp:5)"), 10);
    tree.add(run, 10);
    tree.add(main, 75);
    tree.add(CallTree::kRoot, 75);
    return merged;
}

// Each sample as "leaf;...;root" of function names, with its value.
std::map<std::string, int64_t> paths(const siagent::Profile& profile) {
    std::map<std::string, int64_t> result;
    for (const siagent::Sample& sample : profile.samples) {
        std::string path;
        for (uint32_t frame : sample.frames) path += (path.empty() ? "" : ";") + profile.frames[frame].lines.front().function;
        result[path] += sample.values.front();
    }
    return result;
}

}  // namespace

TEST_CASE("pprof export: one sample per call path with its own value, frames leaf first, "
          "names split into function, file and line, through the wire format", "[dashboard][pprof]") {
    const siagent::Profile exported = merged_profile_as_pprof(sample(), 1000, 1600);
    std::string error;
    auto decoded = siagent::decode_pprof(siagent::encode_pprof(exported), error);
    REQUIRE(decoded);
    INFO(error);
    REQUIRE(decoded->sample_types.size() == 1);
    CHECK(decoded->sample_types[0].type == "cpu");
    CHECK(decoded->sample_types[0].unit == "nanoseconds");
    CHECK(decoded->time_nanos == 1000'000'000'000);
    CHECK(decoded->duration_nanos == 600'000'000'000);
    CHECK(paths(*decoded) == std::map<std::string, int64_t>{
                                 {"burn;main", 60}, {"burn;run;main", 10}, {"main", 5}});
    // One location per distinct frame: burn appears in two paths, once in the table.
    CHECK(exported.frames.size() == 3);
    for (const siagent::Frame& frame : decoded->frames) {
        const siagent::SourceLine& line = frame.lines.front();
        if (line.function == "run") {
            CHECK(line.file == "b.cpp");
            CHECK(line.line == 7);
        }
    }
}

TEST_CASE("pprof export: an empty profile has no samples", "[dashboard][pprof]") {
    MergedProfile empty;
    empty.kind = "alloc";
    empty.unit = "bytes";
    const siagent::Profile exported = merged_profile_as_pprof(empty, 0, 0);
    CHECK(exported.samples.empty());
    CHECK(exported.duration_nanos == 0);
}
