// JSON parsing for untrusted bodies: RapidJSON's iterative reader (constant call stack
// whatever the nesting) feeding a Document through a handler that enforces depth, node and
// string bounds, so a 10 000-level nesting or a 10 MB string is refused, never a crash.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "dashboard/server/input_limits.h"
#include "dashboard/server/result.h"

namespace siagent::dashboard {

// Parses `text` into `document`; on failure returns why (400 for syntax and nesting,
// 413 for sizes) and leaves `document` unspecified.
std::optional<Failure> parse_bounded_json(const std::string& text, const Limits& limits,
                                          rapidjson::Document& document);

}  // namespace siagent::dashboard
