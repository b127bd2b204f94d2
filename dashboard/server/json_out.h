// A compact JSON writer for responses (RapidJSON underneath). Non-finite numbers are
// written as null, since JSON has no NaN or infinity.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siagent::dashboard {

class JsonOut {
public:
    JsonOut() : writer_(buffer_) {}

    JsonOut& object() { return done(writer_.StartObject()); }
    JsonOut& end_object() { return done(writer_.EndObject()); }
    JsonOut& array() { return done(writer_.StartArray()); }
    JsonOut& end_array() { return done(writer_.EndArray()); }
    JsonOut& key(std::string_view name) { return done(writer_.Key(name.data(), size(name))); }

    JsonOut& value(std::string_view text) { return done(writer_.String(text.data(), size(text))); }
    JsonOut& value(const std::string& text) { return value(std::string_view(text)); }
    JsonOut& value(const char* text) { return value(std::string_view(text)); }
    JsonOut& value(bool flag) { return done(writer_.Bool(flag)); }
    JsonOut& value(int number) { return done(writer_.Int64(number)); }
    JsonOut& value(int64_t number) { return done(writer_.Int64(number)); }
    JsonOut& value(size_t number) { return done(writer_.Uint64(number)); }
    JsonOut& value(double number) { return done(std::isfinite(number) ? writer_.Double(number) : writer_.Null()); }
    JsonOut& null() { return done(writer_.Null()); }
    // Already-serialised JSON (of this server's own making), written as it is.
    JsonOut& raw(std::string_view json) { return done(writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType)); }
    template <class T>
    JsonOut& value(const std::optional<T>& maybe) {
        return maybe ? value(*maybe) : null();
    }
    JsonOut& value(const std::vector<std::string>& texts) {
        array();
        for (const auto& text : texts) value(text);
        return end_array();
    }

    template <class T>
    JsonOut& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    std::string str() const { return buffer_.GetString(); }

private:
    static rapidjson::SizeType size(std::string_view text) { return static_cast<rapidjson::SizeType>(text.size()); }
    JsonOut& done(bool) { return *this; }

    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace siagent::dashboard
