#include "dashboard/server/model/gunzip.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

#include "transport/gzip.h"

using siagent::dashboard::gunzip;

namespace {

// The largest single allocation while `tracking` is set (this binary's operator new).
std::atomic<bool> tracking{false};
std::atomic<size_t> largest{0};

}  // namespace

void* operator new(size_t size) {
    if (tracking.load(std::memory_order_relaxed)) {
        size_t seen = largest.load(std::memory_order_relaxed);
        while (size > seen && !largest.compare_exchange_weak(seen, size)) {
        }
    }
    if (void* block = std::malloc(size == 0 ? 1 : size)) return block;
    throw std::bad_alloc();
}
void operator delete(void* block) noexcept { std::free(block); }
void operator delete(void* block, size_t) noexcept { std::free(block); }

namespace {

std::string mixed(size_t n) {  // half noise, half repetition: compresses to about half
    std::string out(n, 'q');
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n / 2; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = static_cast<char>(x);
    }
    return out;
}

// The gzip trailer's last four bytes (ISIZE) replaced by `size`.
std::string claiming(std::string packed, uint32_t size) {
    for (int i = 0; i < 4; ++i) packed[packed.size() - 4 + i] = static_cast<char>(size >> (8 * i));
    return packed;
}

}  // namespace

TEST_CASE("gunzip inflates what gzip_compress makes, up to exactly the limit") {
    for (const std::string& data : {std::string(), std::string("{}"), mixed(100000), std::string(1 << 20, 'z')}) {
        const std::string packed = siagent::gzip_compress(data);
        std::string error;
        const auto plain = gunzip(packed, data.size(), error);
        REQUIRE(plain);
        CHECK(*plain == data);
        if (!data.empty()) CHECK_FALSE(gunzip(packed, data.size() - 1, error));
    }
}

TEST_CASE("gunzip answers as zlib's decoder does where the trailer is not the whole story") {
    const std::string data = mixed(20000);
    const std::string packed = siagent::gzip_compress(data);
    std::string error;

    SECTION("two members back to back are one text") {
        const auto plain = gunzip(packed + siagent::gzip_compress("tail"), 1 << 20, error);
        REQUIRE(plain);
        CHECK(*plain == data + "tail");
    }
    SECTION("a trailer that understates the size: a bomb stops at the limit") {
        const std::string bomb = claiming(siagent::gzip_compress(std::string(64 << 20, '\0')), 100);
        CHECK_FALSE(gunzip(bomb, 1 << 20, error));
        CHECK(error.find("limit") != std::string::npos);
    }
    SECTION("a trailer that overstates it, or states more than the limit") {
        CHECK_FALSE(gunzip(claiming(packed, static_cast<uint32_t>(data.size() + 1)), 1 << 20, error));
        CHECK_FALSE(error.empty());
        error.clear();
        CHECK_FALSE(gunzip(claiming(packed, 0xffffffffu), 1 << 20, error));
        CHECK_FALSE(error.empty());
    }
    SECTION("trailing junk, truncation and a flipped byte are errors with zlib's reason") {
        CHECK_FALSE(gunzip(packed + "junk", 1 << 20, error));
        CHECK_FALSE(error.empty());
        for (size_t n = 0; n < packed.size(); n += 97) {
            error.clear();
            CHECK_FALSE(gunzip(std::string_view(packed).substr(0, n), 1 << 20, error));
            CHECK_FALSE(error.empty());
        }
        std::string flipped = packed;
        flipped[packed.size() / 2] ^= 0x40;
        error.clear();
        CHECK_FALSE(gunzip(flipped, 1 << 20, error));
        CHECK_FALSE(error.empty());
    }
}

TEST_CASE("gunzip allocates no more than the input could inflate to, whatever its trailer claims") {
    // 20-odd bytes whose trailer claims 64 MiB, within the limit: a lie that must not cost
    // a 64 MiB buffer (the limit of an upload) per request.
    const std::string small = claiming(siagent::gzip_compress("{}"), 64u << 20);
    std::string error;
    largest = 0;
    tracking = true;
    const auto plain = gunzip(small, 64u << 20, error);
    tracking = false;
    CHECK_FALSE(plain);
    CHECK(largest.load() < (1u << 20));
}
