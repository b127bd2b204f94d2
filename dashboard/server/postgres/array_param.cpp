#include "dashboard/server/postgres/array_param.h"

#include <bit>

#include "dashboard/server/postgres/type_oids.h"

namespace siagent::dashboard::postgres {
namespace {

// Big-endian at `at`, over bytes already there.
void write_u32(std::string& out, size_t at, uint32_t value) {
    for (size_t i = 0; i < 4; ++i) out[at + i] = static_cast<char>(value >> (24 - 8 * i));
}

// Big-endian, appended.
void put_u32(std::string& out, uint32_t value) {
    out.resize(out.size() + 4);
    write_u32(out, out.size() - 4, value);
}

void put_u64(std::string& out, uint64_t value) {
    put_u32(out, static_cast<uint32_t>(value >> 32));
    put_u32(out, static_cast<uint32_t>(value));
}

}  // namespace

ArrayParam::ArrayParam(Element element) : element_(element) {
    switch (element) {
        case Element::int8: array_type_ = type_oid::int8_array, element_type_ = type_oid::int8; break;
        case Element::float8: array_type_ = type_oid::float8_array, element_type_ = type_oid::float8; break;
        case Element::bytea: array_type_ = type_oid::bytea_array, element_type_ = type_oid::bytea; break;
        case Element::text: array_type_ = type_oid::text_array, element_type_ = type_oid::text; break;
    }
}

void ArrayParam::element_length(uint32_t length) {
    put_u32(bytes_, length);
    ++count_;
}

void ArrayParam::add(int64_t value) {
    element_length(8);
    put_u64(bytes_, static_cast<uint64_t>(value));
}

void ArrayParam::add(double value) {
    element_length(8);
    put_u64(bytes_, std::bit_cast<uint64_t>(value));
}

void ArrayParam::add(std::string_view bytes) {
    if (element_ == Element::text) bytes = bytes.substr(0, bytes.find('\0'));
    element_length(static_cast<uint32_t>(bytes.size()));
    bytes_.append(bytes);
}

void ArrayParam::add_null() {
    element_length(0xffffffffu);  // -1: NULL, no bytes
    has_null_ = true;
}

std::string ArrayParam::take() && {
    write_u32(bytes_, 0, count_ == 0 ? 0 : 1);  // dimensions: none for an empty array
    write_u32(bytes_, 4, has_null_ ? 1 : 0);
    write_u32(bytes_, 8, element_type_);
    if (count_ == 0) {
        bytes_.resize(12);
    } else {
        write_u32(bytes_, 12, count_);  // the dimension's length
        write_u32(bytes_, 16, 1);       // its lower bound
    }
    return std::move(bytes_);
}

}  // namespace siagent::dashboard::postgres
