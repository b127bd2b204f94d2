#include "transport/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace siagent {
namespace {

// windowBits 15 (32 KiB window) plus 16 selects the gzip wrapper instead of zlib's.
constexpr int kGzipWindowBits = 15 + 16;
constexpr size_t kChunk = 64 * 1024;
// zlib counts in uInt; larger buffers are fed in slices of at most this many bytes.
constexpr size_t kMaxSlice = UINT_MAX;

class Deflater {
public:
    explicit Deflater(int level) {
        ok_ = deflateInit2(&stream_, level, Z_DEFLATED, kGzipWindowBits, 8,
                           Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~Deflater() {
        if (ok_) deflateEnd(&stream_);
    }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;
    bool ok() const { return ok_; }
    z_stream& stream() { return stream_; }

private:
    z_stream stream_{};
    bool ok_ = false;
};

class Inflater {
public:
    Inflater() { ok_ = inflateInit2(&stream_, kGzipWindowBits) == Z_OK; }
    ~Inflater() {
        if (ok_) inflateEnd(&stream_);
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
    bool ok() const { return ok_; }
    z_stream& stream() { return stream_; }

private:
    z_stream stream_{};
    bool ok_ = false;
};

}  // namespace

std::string gzip_compress(std::string_view data, int level) {
    static_assert(kGzipDefault == Z_DEFAULT_COMPRESSION);
    Deflater deflater(level);
    if (!deflater.ok()) return {};  // only out of memory; callers see an empty body
    z_stream& z = deflater.stream();

    std::string out;
    out.reserve(std::min(data.size(), kMaxSlice) / 2 + 64);
    const unsigned char* next = reinterpret_cast<const unsigned char*>(data.data());
    size_t left = data.size();
    unsigned char buf[kChunk];
    for (;;) {
        if (z.avail_in == 0 && left > 0) {
            const size_t slice = std::min(left, kMaxSlice);
            z.next_in = const_cast<unsigned char*>(next);
            z.avail_in = static_cast<uInt>(slice);
            next += slice;
            left -= slice;
        }
        const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        z.next_out = buf;
        z.avail_out = sizeof buf;
        const int rc = deflate(&z, flush);
        out.append(reinterpret_cast<const char*>(buf), sizeof buf - z.avail_out);
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) return {};
    }
    return out;
}

std::optional<std::string> gzip_decompress(std::string_view data, size_t max_output,
                                           std::string& error) {
    if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
        static_cast<unsigned char>(data[1]) != 0x8b) {
        error = data.empty() ? "gzip: empty input" : "gzip: not a gzip stream (bad magic)";
        return std::nullopt;
    }
    Inflater inflater;
    if (!inflater.ok()) {
        error = "gzip: cannot initialize zlib";
        return std::nullopt;
    }
    z_stream& z = inflater.stream();

    std::string out;
    const unsigned char* next = reinterpret_cast<const unsigned char*>(data.data());
    size_t left = data.size();
    unsigned char buf[kChunk];
    // Invariant: out.size() <= max_output after every append that survives the check, so
    // memory stays within max_output + kChunk whatever the input claims.
    for (;;) {
        if (z.avail_in == 0 && left > 0) {
            const size_t slice = std::min(left, kMaxSlice);
            z.next_in = const_cast<unsigned char*>(next);
            z.avail_in = static_cast<uInt>(slice);
            next += slice;
            left -= slice;
        }
        z.next_out = buf;
        z.avail_out = sizeof buf;
        const int rc = inflate(&z, Z_NO_FLUSH);
        const size_t produced = sizeof buf - z.avail_out;
        if (produced > max_output - out.size()) {
            error = "gzip: decompressed data exceeds the limit of " + std::to_string(max_output) +
                    " bytes";
            return std::nullopt;
        }
        out.append(reinterpret_cast<const char*>(buf), produced);
        if (rc == Z_STREAM_END) {
            // RFC 1952 allows several members back to back; anything else after one is junk.
            if (z.avail_in == 0 && left == 0) return out;
            if (inflateReset(&z) != Z_OK) {
                error = "gzip: cannot reset zlib";
                return std::nullopt;
            }
            if (z.avail_in < 2 && left == 0) {
                error = "gzip: trailing bytes after the gzip stream";
                return std::nullopt;
            }
            continue;
        }
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR) {
            error = std::string("gzip: corrupt input (") + (z.msg ? z.msg : "data error") + ")";
            return std::nullopt;
        }
        if (rc == Z_MEM_ERROR) {
            error = "gzip: out of memory";
            return std::nullopt;
        }
        // Z_OK or Z_BUF_ERROR: no more input while the stream is unfinished means truncation.
        if (z.avail_in == 0 && left == 0 && produced == 0) {
            error = "gzip: truncated input (stream ends before its trailer)";
            return std::nullopt;
        }
    }
}

}  // namespace siagent
