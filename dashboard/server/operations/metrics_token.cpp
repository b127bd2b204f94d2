#include "dashboard/server/operations/metrics_token.h"

#include <fstream>

#include "dashboard/server/secrets.h"

namespace siagent::dashboard {

Result<std::string> read_metrics_token_hash(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) {
        return Failure{2, "--metrics-token-file: cannot read " + file.string()};
    }
    const size_t first = line.find_first_not_of(" \t\r");
    const size_t last = line.find_last_not_of(" \t\r");
    const std::string token = first == std::string::npos ? "" : line.substr(first, last - first + 1);
    if (token.size() < kMinMetricsTokenLength) {
        return Failure{2, "--metrics-token-file: the token in " + file.string() + " must be at least " +
                              std::to_string(kMinMetricsTokenLength) + " characters"};
    }
    return sha256_hex(token);
}

}  // namespace siagent::dashboard
