// Small readers of UI input shared by the /api/ handlers: a string member of a JSON body and
// an id in a path segment or query value.
#pragma once

#include <rapidjson/document.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siagent::dashboard {

inline std::optional<std::string> string_field(const rapidjson::Value& body, const char* key) {
    auto found = body.FindMember(key);
    if (found == body.MemberEnd() || !found->value.IsString()) return std::nullopt;
    return std::string(found->value.GetString(), found->value.GetStringLength());
}

// A whole decimal number, all of `text`; nullopt otherwise.
inline std::optional<int64_t> whole_number(std::string_view text) {
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace siagent::dashboard
