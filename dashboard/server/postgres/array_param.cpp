#include "dashboard/server/postgres/array_param.h"

#include <bit>
#include <cstring>

namespace siagent::dashboard::postgres {
namespace {

// pg_type oids of the arrays and of their elements.
constexpr Oid kInt8Array = 1016, kFloat8Array = 1022, kByteaArray = 1001, kTextArray = 1009;
constexpr Oid kInt8 = 20, kFloat8 = 701, kBytea = 17, kText = 25;

void put_u32(std::string& out, uint32_t value) {
    const char bytes[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                           static_cast<char>(value >> 8), static_cast<char>(value)};
    out.append(bytes, 4);
}

void put_u64(std::string& out, uint64_t value) {
    put_u32(out, static_cast<uint32_t>(value >> 32));
    put_u32(out, static_cast<uint32_t>(value));
}

}  // namespace

void ArrayParam::element_length(uint32_t length) {
    put_u32(elements_, length);
    ++count_;
}

void ArrayParam::add(int64_t value) {
    element_length(8);
    put_u64(elements_, static_cast<uint64_t>(value));
}

void ArrayParam::add(double value) {
    element_length(8);
    put_u64(elements_, std::bit_cast<uint64_t>(value));
}

void ArrayParam::add(std::string_view bytes) {
    if (element_ == Element::text) bytes = bytes.substr(0, bytes.find('\0'));
    element_length(static_cast<uint32_t>(bytes.size()));
    elements_.append(bytes);
}

void ArrayParam::add_null() {
    element_length(0xffffffffu);  // -1: NULL, no bytes
    has_null_ = true;
}

Oid ArrayParam::type() const {
    switch (element_) {
        case Element::int8: return kInt8Array;
        case Element::float8: return kFloat8Array;
        case Element::bytea: return kByteaArray;
        case Element::text: return kTextArray;
    }
    return kTextArray;
}

std::string ArrayParam::bytes() const {
    Oid element_type = kText;
    switch (element_) {
        case Element::int8: element_type = kInt8; break;
        case Element::float8: element_type = kFloat8; break;
        case Element::bytea: element_type = kBytea; break;
        case Element::text: element_type = kText; break;
    }
    std::string out;
    out.reserve(20 + elements_.size());
    put_u32(out, count_ == 0 ? 0 : 1);  // dimensions: none for an empty array
    put_u32(out, has_null_ ? 1 : 0);
    put_u32(out, element_type);
    if (count_ == 0) return out;
    put_u32(out, count_);  // the dimension's length
    put_u32(out, 1);       // its lower bound
    out += elements_;
    return out;
}

}  // namespace siagent::dashboard::postgres
