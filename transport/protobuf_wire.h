// Protobuf wire format: reading one message's fields from untrusted bytes (ProtoIn) and
// appending encodings to a string (ProtoOut). Only what profile.proto needs: varints,
// 64- and 32-bit fixed fields (skipped when read), length-delimited fields, packed repeats.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siagent::protobuf {

namespace wire_types {
enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };
}  // namespace wire_types
using namespace wire_types;

struct Field {
    uint32_t number = 0;
    uint32_t wire = 0;
    uint64_t value = 0;      // wire type 0
    std::string_view bytes;  // wire type 2; a view into the input
    size_t offset = 0;       // of the tag, from the start of the whole input
    size_t body_offset = 0;  // of `bytes`, likewise
};

// Reads one message's fields. Does not own the bytes; `base` locates them in the input for
// error messages.
class ProtoIn {
public:
    ProtoIn(std::string_view bytes, size_t base, std::string& error)
        : p_(bytes.data()),
          end_(bytes.data() + bytes.size()),
          start_(bytes.data()),
          base_(base),
          error_(error) {}

    bool at_end() const { return p_ == end_; }
    size_t offset() const { return base_ + static_cast<size_t>(p_ - start_); }

    bool varint(uint64_t& v) {
        const size_t at = offset();
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p_ == end_) return fail("truncated varint", at);
            const auto byte = static_cast<unsigned char>(*p_++);
            // The 10th byte may only carry bit 63.
            if (shift == 63 && byte > 1) return fail("varint overflows 64 bits", at);
            v |= uint64_t{byte & 0x7fu} << shift;
            if ((byte & 0x80) == 0) return true;
        }
        return fail("varint longer than 10 bytes", at);
    }

    // Reads the next field. Fixed-width values are skipped (no field of profile.proto uses
    // them); groups and undefined wire types are malformed.
    bool next(Field& f) {
        f.offset = offset();
        uint64_t tag = 0;
        if (!varint(tag)) return false;
        if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
            return fail("invalid field number", f.offset);
        f.number = static_cast<uint32_t>(tag >> 3);
        f.wire = static_cast<uint32_t>(tag & 7);
        switch (f.wire) {
            case kVarint: return varint(f.value);
            case kFixed64: return skip(8, f.offset);
            case kFixed32: return skip(4, f.offset);
            case kLengthDelimited: {
                uint64_t len = 0;
                if (!varint(len)) return false;
                if (len > static_cast<uint64_t>(end_ - p_)) {
                    return fail(
                        "length " + std::to_string(len) + " runs past the end of its message",
                        f.offset);
                }
                f.body_offset = offset();
                f.bytes = std::string_view(p_, static_cast<size_t>(len));
                p_ += len;
                return true;
            }
            default: return fail("unsupported wire type " + std::to_string(f.wire), f.offset);
        }
    }

    bool fail(const std::string& what, size_t at) {
        error_ = "pprof: " + what + " at byte " + std::to_string(at);
        return false;
    }

private:
    bool skip(size_t n, size_t at) {
        if (static_cast<size_t>(end_ - p_) < n) return fail("truncated fixed-width field", at);
        p_ += n;
        return true;
    }

    const char* p_;
    const char* end_;
    const char* start_;
    size_t base_;
    std::string& error_;
};

// Appends protobuf encodings to a string it does not own.
class ProtoOut {
public:
    explicit ProtoOut(std::string& out) : out_(out) {}

    void varint(uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<char>(v));
    }
    void tag(uint32_t field, WireType wire) { varint((uint64_t{field} << 3) | wire); }

    // proto3 semantics: zero scalars are omitted.
    void uint_field(uint32_t field, uint64_t v) {
        if (v == 0) return;
        tag(field, kVarint);
        varint(v);
    }
    // int64 is encoded as its two's complement bits (10 bytes when negative), not zigzag.
    void int_field(uint32_t field, int64_t v) { uint_field(field, static_cast<uint64_t>(v)); }
    void bool_field(uint32_t field, bool v) { uint_field(field, v ? 1 : 0); }
    void bytes_field(uint32_t field, std::string_view bytes) {
        tag(field, kLengthDelimited);
        varint(bytes.size());
        out_.append(bytes);
    }
    template <typename T>
    void packed_field(uint32_t field, const std::vector<T>& values) {
        if (values.empty()) return;
        std::string body;
        ProtoOut inner(body);
        for (T v : values) inner.varint(static_cast<uint64_t>(v));
        bytes_field(field, body);
    }

private:
    std::string& out_;
};

}  // namespace siagent::protobuf
