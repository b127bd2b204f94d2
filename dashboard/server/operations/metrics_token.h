// The token of --metrics-token-file: the file's first line, without surrounding spaces, at
// least 16 characters. Only its SHA-256 (hex) is kept; the token is never printed.
#pragma once

#include <filesystem>
#include <string>

#include "dashboard/server/result.h"

namespace siagent::dashboard {

inline constexpr size_t kMinMetricsTokenLength = 16;

Result<std::string> read_metrics_token_hash(const std::filesystem::path& file);

}  // namespace siagent::dashboard
