#include "dashboard/server/gzip_fast.h"

#include <catch2/catch.hpp>
#include <string>

#include "dashboard/server/model/call_tree.h"
#include "dashboard/server/model/gunzip.h"
#include "transport/gzip.h"

using siagent::dashboard::gzip_fast;

namespace {

// A stored call tree's bytes, uncompressed: function names shared by many paths, and the
// varints and doubles of its nodes.
std::string encoded_tree_bytes() {
    siagent::dashboard::CallTree tree;
    for (int path = 0; path < 400; ++path) {
        uint32_t node = siagent::dashboard::CallTree::kRoot;
        for (int depth = 0; depth < 12; ++depth) {
            node = tree.child(node, "ns::function_" + std::to_string((path * 7 + depth * 13) % 90) +
                                        " (src/file_" + std::to_string(depth % 9) + ".cpp:" +
                                        std::to_string(depth * 31 + path % 5) + ")");
        }
        tree.add(node, 1 + path % 17);
    }
    std::string error;
    auto raw = siagent::gzip_decompress(tree.encode(), 64 << 20, error);
    REQUIRE(raw);
    return *raw;
}

}  // namespace

TEST_CASE("gzip_fast writes one gzip member that zlib and gunzip read back, at every level", "[dashboard][gzip]") {
    const std::string tree = encoded_tree_bytes();
    for (const std::string& data : {std::string(), std::string("hello, pprof"), std::string(1 << 20, 'z'), tree}) {
        for (int level : {0, 1, 3, 6, 12, 13}) {  // 0 and 13 are clamped to 1 and 12
            const std::string packed = gzip_fast(data, level);
            REQUIRE(packed.size() >= 18);
            CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);
            CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
            std::string error;
            const auto by_zlib = siagent::gzip_decompress(packed, data.size(), error);
            REQUIRE(by_zlib);
            CHECK(*by_zlib == data);
            const auto by_gunzip = siagent::dashboard::gunzip(packed, data.size(), error);
            REQUIRE(by_gunzip);
            CHECK(*by_gunzip == data);
        }
    }
}

TEST_CASE("stored trees are no larger than at zlib's default level, responses stay compressed", "[dashboard][gzip]") {
    const std::string tree = encoded_tree_bytes();
    const size_t by_zlib = siagent::gzip_compress(tree).size();
    CHECK(gzip_fast(tree, siagent::dashboard::kGzipStoredLevel).size() <= by_zlib);
    CHECK(gzip_fast(tree, siagent::dashboard::kGzipResponseLevel).size() < tree.size() / 2);
    CHECK(gzip_fast(std::string(1 << 20, 'z'), siagent::dashboard::kGzipResponseLevel).size() < 4096);
}
