#include "dashboard/server/frame_name.h"

#include <charconv>

namespace siagent::dashboard {
namespace {

// A positive decimal that fits an int, or 0.
int parse_number(std::string_view text) {
    if (text.empty() || text.size() > 9) return 0;
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() ? value : 0;
}

// Splits the last `:digits` off `text`; returns 0 (and leaves `text`) when there is none.
int take_trailing_number(std::string_view& text) {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return 0;
    const int number = parse_number(text.substr(colon + 1));
    if (number > 0) text = text.substr(0, colon);
    return number;
}

}  // namespace

FrameLocation parse_frame_name(std::string_view name) {
    FrameLocation frame;
    // The location is the last ` (...)` group: C++ signatures may hold parentheses before it,
    // but never the two characters " (" inside it.
    const size_t open = name.rfind(" (");
    if (name.size() < 4 || name.back() != ')' || open == std::string_view::npos || open == 0) {
        frame.function = std::string(name);
        return frame;
    }
    std::string_view location = name.substr(open + 2, name.size() - open - 3);
    frame.function = std::string(name.substr(0, open));
    const int last = take_trailing_number(location);
    const int before = last > 0 ? take_trailing_number(location) : 0;
    if (before > 0) {
        frame.line = before;
        frame.column = last;
    } else {
        frame.line = last;
    }
    frame.file = std::string(location);
    return frame;
}

}  // namespace siagent::dashboard
