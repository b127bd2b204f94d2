#include "dashboard/server/model/gunzip.h"

#include <libdeflate.h>

#include <cstdint>
#include <memory>

#include "transport/gzip.h"

namespace siagent::dashboard {
namespace {

struct FreeDecompressor {
    void operator()(libdeflate_decompressor* decompressor) const { libdeflate_free_decompressor(decompressor); }
};

// One per thread (about 32 KiB, made on the thread's first call): a decompressor is not
// safe to share between threads. Null when it could not be allocated.
libdeflate_decompressor* thread_decompressor() {
    thread_local std::unique_ptr<libdeflate_decompressor, FreeDecompressor> decompressor(
        libdeflate_alloc_decompressor());
    return decompressor.get();
}

// The size the gzip trailer states (ISIZE: the last four bytes, little-endian), which is
// the true size modulo 2^32 only if the stream is one member and honest: it is a hint.
uint32_t stated_size(std::string_view data) {
    const auto* tail = reinterpret_cast<const unsigned char*>(data.data() + data.size() - 4);
    return static_cast<uint32_t>(tail[0]) | static_cast<uint32_t>(tail[1]) << 8 |
           static_cast<uint32_t>(tail[2]) << 16 | static_cast<uint32_t>(tail[3]) << 24;
}

// DEFLATE's largest expansion is about 1032 to 1 (258-byte matches in 2-bit codes): a
// trailer claiming more than that of its input lies, and its buffer is not allocated.
constexpr size_t kMaxDeflateRatio = 1032;

}  // namespace

std::optional<std::string> gunzip(std::string_view data, size_t max_output, std::string& error) {
    // 18 bytes: the smallest gzip member (10 of header, an empty block, 8 of trailer).
    libdeflate_decompressor* decompressor = data.size() >= 18 ? thread_decompressor() : nullptr;
    const size_t stated = decompressor != nullptr ? stated_size(data) : 0;
    if (decompressor != nullptr && stated <= max_output && stated <= data.size() * kMaxDeflateRatio) {
        std::string out(stated, '\0');
        size_t consumed = 0;
        size_t produced = 0;
        const libdeflate_result result = libdeflate_gzip_decompress_ex(
            decompressor, data.data(), data.size(), out.data(), out.size(), &consumed, &produced);
        // Success means the CRC and the size matched; the whole input must be that member.
        if (result == LIBDEFLATE_SUCCESS && consumed == data.size() && produced == out.size()) return out;
    }
    return gzip_decompress(data, max_output, error);
}

}  // namespace siagent::dashboard
