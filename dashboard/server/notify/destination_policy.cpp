#include "dashboard/server/notify/destination_policy.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace siagent::dashboard::notify {
namespace {

struct V4Range {
    uint32_t network;
    int prefix;
};

bool in_range(uint32_t address, const V4Range& range) {
    const uint32_t mask = range.prefix == 0 ? 0 : ~uint32_t{0} << (32 - range.prefix);
    return (address & mask) == (range.network & mask);
}

constexpr uint32_t v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return a << 24 | b << 16 | c << 8 | d; }

bool is_internal_v4(const boost::asio::ip::address_v4& address) {
    static constexpr std::array<V4Range, 13> kInternal = {{
        {v4(0, 0, 0, 0), 8},        // "this network", unspecified
        {v4(10, 0, 0, 0), 8},       // private
        {v4(100, 64, 0, 0), 10},    // shared address space (CGNAT)
        {v4(127, 0, 0, 0), 8},      // loopback
        {v4(169, 254, 0, 0), 16},   // link-local, cloud metadata
        {v4(172, 16, 0, 0), 12},    // private
        {v4(192, 0, 0, 0), 24},     // IETF protocol assignments
        {v4(192, 168, 0, 0), 16},   // private
        {v4(198, 18, 0, 0), 15},    // benchmarking
        {v4(224, 0, 0, 0), 4},      // multicast
        {v4(240, 0, 0, 0), 4},      // reserved, broadcast
        {v4(192, 0, 2, 0), 24},     // documentation
        {v4(198, 51, 100, 0), 24},  // documentation
    }};
    const uint32_t value = address.to_uint();
    for (const V4Range& range : kInternal) {
        if (in_range(value, range)) return true;
    }
    return false;
}

bool is_internal_v6(const boost::asio::ip::address_v6& address) {
    if (address.is_v4_mapped()) {
        return is_internal_v4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address));
    }
    const auto bytes = address.to_bytes();
    const bool unique_local = (bytes[0] & 0xfe) == 0xfc;  // fc00::/7
    // 64:ff9b::/96 reaches the IPv4 address in its last four bytes through a NAT64 gateway.
    if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b &&
        std::all_of(bytes.begin() + 4, bytes.begin() + 12, [](unsigned char b) { return b == 0; })) {
        return is_internal_v4(boost::asio::ip::address_v4({bytes[12], bytes[13], bytes[14], bytes[15]}));
    }
    return address.is_unspecified() || address.is_loopback() || address.is_link_local() || address.is_site_local() ||
           address.is_multicast() || address.is_v4_compatible() || unique_local;
}

}  // namespace

bool is_internal_address(const boost::asio::ip::address& address) {
    return address.is_v4() ? is_internal_v4(address.to_v4()) : is_internal_v6(address.to_v6());
}

}  // namespace siagent::dashboard::notify
