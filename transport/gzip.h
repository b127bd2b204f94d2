// gzip (RFC 1952) through zlib, for profile files, stored trees and HTTP bodies.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace siagent {

// zlib's default level (6). The dashboard compresses with libdeflate
// (dashboard/server/gzip_fast.h), and this only when that cannot.
inline constexpr int kGzipDefault = -1;

// Empty only when zlib fails (out of memory): callers must not send or store it as gzip.
std::string gzip_compress(std::string_view data, int level = kGzipDefault);

// Inflates a gzip stream; refuses (nullopt, `error` set) corrupt input or output larger
// than `max_output` bytes, so a hostile file or body cannot exhaust memory.
std::optional<std::string> gzip_decompress(std::string_view data, size_t max_output,
                                           std::string& error);

}  // namespace siagent
