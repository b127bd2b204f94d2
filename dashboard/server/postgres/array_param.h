// A one-dimensional array parameter in PostgreSQL's binary form (array_send's layout:
// dimensions, flags, element type, then each element's length and bytes, all big-endian),
// so that one prepared statement takes any number of rows through unnest($n::type[]) and
// bytea elements travel as they are, not doubled into hex.
#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siagent::dashboard::postgres {

class ArrayParam {
public:
    enum class Element { int8, float8, bytea, text };

    explicit ArrayParam(Element element);

    // Each must match the element type; a text element ends at its first NUL, as a text
    // parameter does (PostgreSQL's text holds none).
    void add(int64_t value);
    void add(double value);
    void add(std::string_view bytes);
    void add_null();
    template <class T>
    void add(const std::optional<T>& value) {
        if (value) add(*value);
        else add_null();
    }

    // The array's type oid (int8[], float8[], bytea[], text[]).
    Oid type() const { return array_type_; }
    // Its binary form, taken without a copy: the elements were written after room for
    // the header, which is filled in now.
    std::string take() &&;

private:
    static constexpr size_t kHeaderBytes = 20;  // dimensions, flags, element type, length, lower bound

    void element_length(uint32_t length);

    Element element_;
    Oid array_type_;
    Oid element_type_;
    uint32_t count_ = 0;
    bool has_null_ = false;
    std::string bytes_ = std::string(kHeaderBytes, '\0');  // the header's room, then each element's length and bytes
};

}  // namespace siagent::dashboard::postgres
