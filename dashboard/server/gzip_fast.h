// Compressing what the server stores and sends (stored call trees, gzipped responses,
// pprof downloads): libdeflate's whole-buffer compressor. At its level 5, stored trees
// compress 3.2 times as fast as with zlib's default level, and 1 % smaller
// (docs/performance.md). The agent keeps zlib (transport/gzip.h); so does this when a
// compressor cannot be had.
#pragma once

#include <string>
#include <string_view>

namespace siagent::dashboard {

// libdeflate's levels: 5 for what is stored or downloaded, 3 for what is made per request
// (about 1.25 times level 5's speed, 7 % larger on stored trees).
inline constexpr int kGzipStoredLevel = 5;
inline constexpr int kGzipResponseLevel = 3;

// One gzip member (RFC 1952) of `data` at `level` (1 to 12). Empty only when neither
// libdeflate nor zlib has the memory: callers must not send or store it as gzip. Each
// thread keeps one compressor per level it used (656 KiB each).
std::string gzip_fast(std::string_view data, int level);

}  // namespace siagent::dashboard
