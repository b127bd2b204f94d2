// The exception profiler, end to end: test/programs/throw_sites throws known counts of
// three types from three sites; the error profiles must agree with its truth.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"

using namespace siagent::testing;

namespace {

constexpr size_t kErrors = 0;  // sample type index of errors/count

struct ThrowRun {
    std::map<std::string, int64_t> truth;
    std::vector<siagent::Profile> profiles;
};

ThrowRun run_throw_sites(const std::string& rounds, const TemporaryDirectory& dir) {
    RunResult result = run({program("throw_sites"), rounds},
                           {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()}});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.empty());
    ThrowRun outcome{{}, read_profiles(dir.files("error-"))};
    for (const auto& [name, value] : truth_values(result.out)) outcome.truth[name] = static_cast<int64_t>(value);
    REQUIRE(outcome.truth.size() == 6);
    REQUIRE_FALSE(outcome.profiles.empty());
    for (const auto& profile : outcome.profiles) {
        REQUIRE(profile.sample_types.size() == 1);
        CHECK(profile.sample_types[0].type == "errors");
        CHECK(profile.sample_types[0].unit == "count");
    }
    return outcome;
}

void check_exact_types(const ThrowRun& outcome) {
    for (const std::string type : {"ParseError", "out_of_range", "Code"}) {
        INFO(type);
        CHECK(labeled_value(outcome.profiles, "exception", type, kErrors) == outcome.truth.at(type));
    }
    int64_t all = outcome.truth.at("ParseError") + outcome.truth.at("out_of_range") + outcome.truth.at("Code");
    CHECK(total_value(outcome.profiles, kErrors) == all);
}

}  // namespace

TEST_CASE("below the stack-sampling threshold every throw is counted by type, site and message") {
    TemporaryDirectory dir;
    ThrowRun outcome = run_throw_sites("8", dir);  // 64 throws: every stack is captured
    check_exact_types(outcome);
    for (const std::string site : {"parse_site", "lookup_site", "code_site"}) {
        INFO(site);
        CHECK(total_value_through(outcome.profiles, site, kErrors) == outcome.truth.at(site));
    }
    // The message is the leaf, below the throw site; what() is cut at 256 bytes.
    CHECK(leaf_named_value(outcome.profiles, "(anonymous namespace)::ParseError: bad token", kErrors) ==
          outcome.truth.at("ParseError") - 1);
    CHECK(leaf_named_value(outcome.profiles, "(anonymous namespace)::ParseError: " + std::string(256, 'x'),
                           kErrors) == 1);
    // A type that is not a std::exception has no message.
    CHECK(leaf_named_value(outcome.profiles, "(anonymous namespace)::Code", kErrors) == outcome.truth.at("Code"));
}

TEST_CASE("above the threshold types stay exact and sites are within 10 %") {
    TemporaryDirectory dir;
    ThrowRun outcome = run_throw_sites("400000", dir);  // 3.2 million throws, a few seconds
    check_exact_types(outcome);
    for (const std::string site : {"parse_site", "lookup_site", "code_site"}) {
        double measured = static_cast<double>(total_value_through(outcome.profiles, site, kErrors));
        double truth = static_cast<double>(outcome.truth.at(site));
        INFO(site << ": profile " << measured << ", truth " << truth);
        CHECK(std::abs(measured - truth) <= 0.10 * truth);
    }
}

TEST_CASE("SI_ERROR_PROFILER_DISABLED=1 writes no error profile and changes nothing") {
    TemporaryDirectory dir;
    RunResult result = run({program("throw_sites"), "1000"}, {{"LD_PRELOAD", agent_library()},
                                                            {"SI_OUTPUT_DIR", dir.path()},
                                                            {"SI_ERROR_PROFILER_DISABLED", "1"}});
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    CHECK(result.out.find("caught 8000") != std::string::npos);
    CHECK(dir.files("error-").empty());
}
