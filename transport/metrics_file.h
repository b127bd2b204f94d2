// Runtime metrics as JSON lines: one object per interval appended to
// SI_OUTPUT_DIR/metrics-<pid>.jsonl (the pid at the time of writing, so a fork child
// writes its own file). Keys are snake_case with their unit in the name; values that
// could not be read (no allocation profiler yet, no /proc/self/io) are left out.
#pragma once

#include "core/output_directory.h"

#include <map>
#include <string>
#include <variant>

#include "core/metrics_reader.h"

namespace siagent {

// One line of JSON (no newline) for `snapshot`.
std::string metrics_json_line(const MetricsSnapshot& snapshot);

// A parsed line: every member of the object, numbers as doubles, the rest as text.
using MetricsLine = std::map<std::string, std::variant<double, std::string>>;
// False (with `error`) when `line` is not one JSON object.
bool parse_metrics_line(const std::string& line, MetricsLine& out, std::string& error);

// Appends `snapshot`'s line to metrics-<pid>.jsonl in `directory` (made when missing);
// false when it could not (said once in the debug log).
bool append_metrics_line(OutputDirectory& directory, const MetricsSnapshot& snapshot);

}  // namespace siagent
