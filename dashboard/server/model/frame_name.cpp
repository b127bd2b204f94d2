#include "dashboard/server/model/frame_name.h"

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

// A bare `file:line` (the Python agent's allocation frames): no space or parenthesis, a
// line number, and a file that looks like a path (holds a '/' or a '.').
bool bare_file_line(std::string_view name, std::string_view& file, int& line) {
    if (name.find_first_of(" ()") != std::string_view::npos) return false;
    std::string_view rest = name;
    const int number = take_trailing_number(rest);
    if (number <= 0 || rest.empty() || rest.find_first_of("/.") == std::string_view::npos) return false;
    if (rest.find("::") != std::string_view::npos) return false;  // a C++ name, not a file
    file = rest;
    line = number;
    return true;
}

}  // namespace

FrameLocation parse_frame_name(std::string_view name) {
    FrameLocation frame;
    std::string_view bare_file;
    if (bare_file_line(name, bare_file, frame.line)) {
        frame.function = std::string(name);  // no function name: the location names the frame
        frame.file = std::string(bare_file);
        return frame;
    }
    // The location is the last ` (...)` group: C++ signatures may hold parentheses before it,
    // but never the two characters " (" inside it.
    const size_t open = name.rfind(" (");
    if (name.size() < 4 || name.back() != ')' || open == std::string_view::npos) {
        frame.function = std::string(name);
        return frame;
    }
    std::string_view location = name.substr(open + 2, name.size() - open - 3);
    // Node.js names an anonymous function's frame by its location alone: " (file:line:column)".
    frame.function = open == 0 ? std::string(kAnonymousFunction) : std::string(name.substr(0, open));
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
