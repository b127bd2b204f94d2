// gzip (RFC 1952) through zlib, for profile files and, later, HTTP bodies.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace siagent {

std::string gzip_compress(std::string_view data);

// Inflates a gzip stream; refuses (nullopt, `error` set) corrupt input or output larger
// than `max_output` bytes, so a hostile file or body cannot exhaust memory.
std::optional<std::string> gzip_decompress(std::string_view data, size_t max_output,
                                           std::string& error);

}  // namespace siagent
