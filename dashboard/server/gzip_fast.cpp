#include "dashboard/server/gzip_fast.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <memory>

#include "transport/gzip.h"

namespace siagent::dashboard {
namespace {

struct FreeCompressor {
    void operator()(libdeflate_compressor* compressor) const { libdeflate_free_compressor(compressor); }
};

constexpr int kHighestLevel = 12;  // libdeflate's

// This thread's compressor for `level`, made on first use: a compressor is not safe to
// share between threads. Null when it could not be allocated (tried again next time).
libdeflate_compressor* thread_compressor(int level) {
    thread_local std::array<std::unique_ptr<libdeflate_compressor, FreeCompressor>, kHighestLevel + 1> compressors;
    auto& compressor = compressors[static_cast<size_t>(level)];
    if (!compressor) compressor.reset(libdeflate_alloc_compressor(level));
    return compressor.get();
}

}  // namespace

std::string gzip_fast(std::string_view data, int level) {
    level = std::clamp(level, 1, kHighestLevel);
    libdeflate_compressor* compressor = thread_compressor(level);
    if (compressor == nullptr) return gzip_compress(data, kGzipDefault);
    std::string out(libdeflate_gzip_compress_bound(compressor, data.size()), '\0');
    const size_t size = libdeflate_gzip_compress(compressor, data.data(), data.size(), out.data(), out.size());
    if (size == 0) return gzip_compress(data, kGzipDefault);  // cannot happen within the bound
    out.resize(size);
    out.shrink_to_fit();
    return out;
}

}  // namespace siagent::dashboard
