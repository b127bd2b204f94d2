// Frame names as the agents write them: `function (file:line)` (siagent, Python, Go),
// `function (file:line:column)` (Node.js), ` (file:line:column)` (Node.js, an anonymous
// function: named kAnonymousFunction), `file:line` (Python's allocation frames: the whole
// name stays the function, with the file and line split out), `function (file)`, or a bare
// `function`.
#pragma once

#include <string>
#include <string_view>

namespace siagent::dashboard {

inline constexpr std::string_view kAnonymousFunction = "(anonymous)";

struct FrameLocation {
    std::string function;
    std::string file;  // empty when the name carries no location
    int line = 0;      // 0 when unknown
    int column = 0;    // 0 when unknown
};

FrameLocation parse_frame_name(std::string_view name);

}  // namespace siagent::dashboard
