// The "top" view of `siagent top`: functions ranked by flat or cumulative value.
//
// Pure functions of their inputs (no I/O), so the CLI stays a thin shell around them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/profile.h"

namespace siagent {

struct NamedProfile {
    std::string name;  // shown in error messages, e.g. the file path
    Profile profile;
};

struct TopOptions {
    std::string sample_index;  // a sample type ("cpu") or 0-based index; empty: the last type
    size_t rows = 20;          // 0: all
    bool sort_by_cum = false;
};

struct TopRow {
    std::string function;  // innermost (inlined) function; else "[module]", else "0x<address>"
    int64_t flat = 0;      // value of samples whose leaf line is in `function`
    int64_t cum = 0;       // value of samples with `function` anywhere on the stack, once each
    std::string file;      // of the function's hottest line (most flat, else most cum); "" = ?
    int64_t line = 0;      // 0 when unknown
    std::string module;    // basename of the mapping that contributed most; "" when unknown
};

struct TopTable {
    ValueType sample_type;
    int64_t total = 0;
    int64_t count = 0;       // sum of the first other "count" sample type, else stack records
    std::string count_name;  // that type's name ("samples"), else "stacks"
    size_t files = 0;
    size_t functions = 0;      // rows before the cut to TopOptions::rows
    std::vector<TopRow> rows;  // ranked
    std::vector<std::string> comments;
};

// Concatenates profiles with identical sample types (frames and mappings are re-indexed,
// comments kept once each, in order). Different sample types are an error naming the files.
std::optional<Profile> merge_profiles(const std::vector<NamedProfile>& inputs, std::string& error);

std::optional<TopTable> compute_top(const std::vector<NamedProfile>& inputs,
                                    const TopOptions& options, std::string& error);

std::string render_top(const TopTable& table);

// A value in human units, 3 significant digits: nanoseconds as ns/us/ms/s, bytes as
// B/KiB/MiB/GiB/TiB, counts (and zero) plain, other units as "<n> <unit>".
std::string format_value(int64_t value, const std::string& unit);

}  // namespace siagent
