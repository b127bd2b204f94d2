// Reading /metrics in the API tests: the scrape request for a token, and the exposition read
// back with Prometheus' own parser (python3-prometheus-client).
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "test/dashboard/api/http_client.h"
#include "test/integration/process_runner.h"

namespace siagent::testing {

inline HttpCall scrape(const std::string& token) {
    HttpCall call{"GET", "/metrics", "", {}, false};
    if (!token.empty()) call.headers["Authorization"] = "Bearer " + token;
    return call;
}

// Every sample as "name{labels}" -> value, read by prometheus_client's parser; REQUIREs
// that it parses.
inline std::map<std::string, double> parse_exposition(const std::string& text) {
    TemporaryDirectory directory;
    const std::string file = directory.path() + "/metrics.txt";
    std::ofstream(file) << text;
    const char* script = R"(
import sys
from prometheus_client.parser import text_string_to_metric_families
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for sample in family.samples:
        labels = ",".join('%s="%s"' % item for item in sorted(sample.labels.items()))
        print("%s{%s} %r" % (sample.name, labels, sample.value))
)";
    RunResult parsed = run({"/usr/bin/python3", "-c", script, file}, {});
    INFO(parsed.err);
    REQUIRE(parsed.exit_code == 0);
    std::map<std::string, double> samples;
    std::istringstream lines(parsed.out);
    std::string line;
    while (std::getline(lines, line)) {
        const size_t space = line.rfind(' ');
        samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return samples;
}

}  // namespace siagent::testing
