// A one-dimensional array parameter in PostgreSQL's binary form (array_send's layout:
// dimensions, flags, element type, then each element's length and bytes, all big-endian),
// so that one prepared statement takes any number of rows through unnest($n::type[]) and
// bytea elements travel as they are, not doubled into hex.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siagent::dashboard::postgres {

class ArrayParam {
public:
    enum class Element { int8, float8, bytea, text };

    explicit ArrayParam(Element element) : element_(element) {}

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

    // The array's type oid (int8[], float8[], bytea[], text[]) and its binary form.
    Oid type() const;
    std::string bytes() const;

private:
    void element_length(uint32_t length);

    Element element_;
    uint32_t count_ = 0;
    bool has_null_ = false;
    std::string elements_;  // each element's length and bytes, in order
};

}  // namespace siagent::dashboard::postgres
