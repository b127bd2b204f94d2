// The truth span_demo prints (test/programs/span_demo.cpp): "truth NAME FIELD VALUE
// [FIELD VALUE]..." lines, as name -> field -> value.
#pragma once

#include <map>
#include <sstream>
#include <string>

namespace siagent::testing {

using SpanTable = std::map<std::string, std::map<std::string, double>>;

inline SpanTable span_truth_from(const std::string& out) {
    SpanTable truth;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string word, name, field;
        double value;
        if (!(words >> word >> name) || word != "truth") continue;
        while (words >> field >> value) truth[name][field] = value;
    }
    return truth;
}

}  // namespace siagent::testing
