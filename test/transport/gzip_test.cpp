#include "transport/gzip.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

using siagent::gzip_compress;
using siagent::gzip_decompress;

namespace {

// Deterministic, incompressible-looking bytes.
std::string noise(size_t n) {
    std::string out(n, '\0');
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (char& c : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x);
    }
    return out;
}

}  // namespace

TEST_CASE("gzip round trips empty, small, compressible and incompressible data, at the default and the fastest level") {
    for (const std::string& data :
         {std::string(), std::string("hello, pprof"), std::string(1 << 20, 'z'), noise(300000)}) {
        for (int level : {siagent::kGzipDefault, 1}) {
            const std::string packed = gzip_compress(data, level);
            REQUIRE(packed.size() >= 18);  // 10-byte header + deflate + 8-byte trailer
            CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);
            CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
            CHECK(packed[2] == 8);  // deflate
            std::string error;
            const auto plain = gzip_decompress(packed, data.size(), error);
            REQUIRE(plain);
            CHECK(*plain == data);
            CHECK(error.empty());
        }
    }
    CHECK(gzip_compress(std::string(1 << 20, 'z')).size() < 4096);
}

TEST_CASE("gzip_decompress enforces max_output") {
    const std::string data(100000, 'a');
    const std::string packed = gzip_compress(data);
    std::string error;
    CHECK(gzip_decompress(packed, data.size(), error));  // exactly the limit is fine
    CHECK_FALSE(gzip_decompress(packed, data.size() - 1, error));
    CHECK(error.find("limit") != std::string::npos);
    CHECK_FALSE(gzip_decompress(packed, 0, error));

    // A bomb: 64 MiB of zeros in a few KiB stops at the limit, not at the end.
    const std::string bomb = gzip_compress(std::string(64 << 20, '\0'));
    CHECK(bomb.size() < 200000);
    error.clear();
    CHECK_FALSE(gzip_decompress(bomb, 1 << 20, error));
    CHECK(error.find("limit") != std::string::npos);
}

TEST_CASE("gzip_decompress reports corrupt and truncated input") {
    const std::string data = noise(5000) + std::string(5000, 'q');
    const std::string packed = gzip_compress(data);
    std::string error;

    SECTION("empty and wrong magic") {
        CHECK_FALSE(gzip_decompress("", 1000, error));
        CHECK(error.find("empty") != std::string::npos);
        CHECK_FALSE(gzip_decompress("plain text", 1000, error));
        CHECK(error.find("magic") != std::string::npos);
    }
    SECTION("every truncation is an error") {
        for (size_t n = 0; n < packed.size(); ++n) {
            error.clear();
            INFO("prefix of " << n << " bytes");
            CHECK_FALSE(gzip_decompress(std::string_view(packed).substr(0, n), 1 << 20, error));
            CHECK_FALSE(error.empty());
        }
    }
    SECTION("a flipped byte in the body or the CRC trailer is an error") {
        for (size_t at : {packed.size() / 2, packed.size() - 6}) {
            std::string bad = packed;
            bad[at] = static_cast<char>(bad[at] ^ 0x55);
            error.clear();
            CHECK_FALSE(gzip_decompress(bad, 1 << 20, error));
            CHECK(error.find("gzip:") == 0);
        }
    }
    SECTION("bad header method") {
        std::string bad = packed;
        bad[2] = 7;
        CHECK_FALSE(gzip_decompress(bad, 1 << 20, error));
        CHECK(error.find("corrupt") != std::string::npos);
    }
    SECTION("trailing garbage after the stream") {
        CHECK_FALSE(gzip_decompress(packed + "x", 1 << 20, error));
        CHECK_FALSE(gzip_decompress(packed + "xyz", 1 << 20, error));
    }
}

TEST_CASE("gzip_decompress accepts concatenated members (RFC 1952)") {
    const std::string packed = gzip_compress("first,") + gzip_compress("second");
    std::string error;
    const auto plain = gzip_decompress(packed, 100, error);
    REQUIRE(plain);
    CHECK(*plain == "first,second");
    CHECK_FALSE(gzip_decompress(packed, 11, error));
}
