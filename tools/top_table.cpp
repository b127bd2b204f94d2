#include "tools/top_table.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/hotspot_ranking.h"

namespace siagent {
namespace {

std::string describe_types(const std::vector<ValueType>& types) {
    std::string out;
    for (const ValueType& t : types) {
        if (!out.empty()) out += ", ";
        out += t.type + "/" + t.unit;
    }
    return out.empty() ? "none" : out;
}

bool same_types(const std::vector<ValueType>& a, const std::vector<ValueType>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
        return x.type == y.type && x.unit == y.unit;
    });
}

std::string basename(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string hex_address(uint64_t address) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, address);
    return buf;
}

// 3 significant digits, as "3.02", "12.5", "150".
std::string three_digits(double v) {
    char buf[48];
    const double a = std::fabs(v);
    const char* fmt = a >= 99.95 ? "%.0f" : a >= 9.995 ? "%.1f" : "%.2f";
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

std::string scaled(double v, const double* factors, const char* const* names, size_t n) {
    size_t i = 0;
    while (i + 1 < n && std::fabs(v) >= factors[i + 1] * 0.9995) ++i;
    if (i == 0) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%.0f %s", v, names[0]);
        return buf;
    }
    return three_digits(v / factors[i]) + " " + names[i];
}

// Resolves TopOptions::sample_index against the profile's sample types.
std::optional<size_t> sample_index(const std::vector<ValueType>& types, const std::string& spec,
                                   std::string& error) {
    if (types.empty()) {
        error = "the profile has no sample types";
        return std::nullopt;
    }
    if (spec.empty()) return types.size() - 1;
    if (std::all_of(spec.begin(), spec.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const unsigned long long i =
            spec.size() <= 9 ? std::strtoull(spec.c_str(), nullptr, 10) : types.size();
        if (i < types.size()) return static_cast<size_t>(i);
    }
    for (size_t i = 0; i < types.size(); ++i) {
        if (types[i].type == spec) return i;
    }
    error = "unknown sample index '" + spec + "' (have:";
    for (size_t i = 0; i < types.size(); ++i) {
        error += " " + std::to_string(i) + "=" + types[i].type;
    }
    error += ")";
    return std::nullopt;
}

// Per-function sums while walking the samples.
struct Accumulator {
    int64_t flat = 0;
    int64_t cum = 0;
    std::map<std::pair<std::string, int64_t>, std::pair<int64_t, int64_t>> lines;  // (flat, cum)
    std::map<std::string, int64_t> modules;                                        // cum by module
};

std::string module_of(const Profile& p, const Frame& frame) {
    if (frame.mapping_index == 0 || frame.mapping_index > p.mappings.size()) return "";
    return basename(p.mappings[frame.mapping_index - 1].path);
}

// Unsymbolized code is grouped per module, as pprof does ("[libc.so.6]").
std::string function_name(const Profile& p, const Frame& frame, const SourceLine* line) {
    if (line && !line->function.empty()) return line->function;
    const std::string module = module_of(p, frame);
    return module.empty() ? hex_address(frame.address) : "[" + module + "]";
}

TopRow finish_row(const std::string& name, const Accumulator& acc) {
    TopRow row;
    row.function = name;
    row.flat = acc.flat;
    row.cum = acc.cum;
    // Hottest line: most flat value; for functions never at a leaf, most cum value.
    // std::map order makes ties go to the smallest (file, line).
    const bool by_flat = std::any_of(acc.lines.begin(), acc.lines.end(),
                                     [](const auto& l) { return l.second.first != 0; });
    const std::pair<std::string, int64_t>* best = nullptr;
    int64_t best_value = 0;
    for (const auto& [key, values] : acc.lines) {
        const int64_t v = by_flat ? values.first : values.second;
        if (!best || v > best_value) {
            best = &key;
            best_value = v;
        }
    }
    if (best) {
        row.file = best->first;
        row.line = best->second;
    }
    int64_t best_module = 0;
    for (const auto& [module, v] : acc.modules) {
        if (row.module.empty() || v > best_module) {
            row.module = module;
            best_module = v;
        }
    }
    return row;
}

std::string pad(const std::string& s, size_t width, bool right) {
    if (s.size() >= width) return s;
    const std::string fill(width - s.size(), ' ');
    return right ? fill + s : s + fill;
}

std::string percent(int64_t v, int64_t total) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%",
                  total == 0 ? 0.0 : 100.0 * static_cast<double>(v) / static_cast<double>(total));
    return buf;
}

}  // namespace

std::optional<Profile> merge_profiles(const std::vector<NamedProfile>& inputs, std::string& error) {
    if (inputs.empty()) {
        error = "no profiles to merge";
        return std::nullopt;
    }
    Profile out;
    const NamedProfile& first = inputs.front();
    out.sample_types = first.profile.sample_types;
    out.period_type = first.profile.period_type;
    out.period = first.profile.period;
    int64_t end = 0;
    std::unordered_set<std::string> seen_comments;
    for (const NamedProfile& in : inputs) {
        const Profile& p = in.profile;
        if (!same_types(p.sample_types, out.sample_types)) {
            error = "cannot merge " + first.name + " (" + describe_types(out.sample_types) +
                    ") with " + in.name + " (" + describe_types(p.sample_types) +
                    "): different sample types";
            return std::nullopt;
        }
        if (p.time_nanos != 0 && (out.time_nanos == 0 || p.time_nanos < out.time_nanos)) {
            out.time_nanos = p.time_nanos;
        }
        end = std::max(end, p.time_nanos + p.duration_nanos);

        const auto mapping_base = static_cast<uint32_t>(out.mappings.size());
        const auto frame_base = static_cast<uint32_t>(out.frames.size());
        out.mappings.insert(out.mappings.end(), p.mappings.begin(), p.mappings.end());
        for (const Frame& f : p.frames) {
            Frame& copy = out.frames.emplace_back(f);
            // Dangling mapping references become "unknown" rather than another file's mapping.
            copy.mapping_index = f.mapping_index == 0 || f.mapping_index > p.mappings.size()
                                     ? 0
                                     : f.mapping_index + mapping_base;
        }
        for (const Sample& s : p.samples) {
            Sample& copy = out.samples.emplace_back();
            copy.values = s.values;
            copy.values.resize(out.sample_types.size(), 0);
            copy.labels = s.labels;
            for (uint32_t f : s.frames) {
                if (f < p.frames.size()) copy.frames.push_back(f + frame_base);
            }
        }
        for (const std::string& c : p.comments) {
            if (seen_comments.insert(c).second) out.comments.push_back(c);
        }
    }
    if (out.time_nanos != 0 && end > out.time_nanos) out.duration_nanos = end - out.time_nanos;
    return out;
}

std::optional<TopTable> compute_top(const std::vector<NamedProfile>& inputs,
                                    const TopOptions& options, std::string& error) {
    std::optional<Profile> merged = merge_profiles(inputs, error);
    if (!merged) return std::nullopt;
    const Profile& p = *merged;
    const std::optional<size_t> index = sample_index(p.sample_types, options.sample_index, error);
    if (!index) return std::nullopt;

    TopTable table;
    table.sample_type = p.sample_types[*index];
    table.files = inputs.size();
    table.comments = p.comments;
    std::optional<size_t> count_index;
    for (size_t i = 0; i < p.sample_types.size(); ++i) {
        if (i != *index && p.sample_types[i].unit == "count") {
            count_index = i;
            break;
        }
    }
    table.count_name = count_index ? p.sample_types[*count_index].type : "stacks";

    // Flat and cum through the shared definition (core/hotspot_ranking.h): flat is self, cum
    // is total. Every inlined line of a frame is a function of its own on the stack.
    std::unordered_map<std::string, uint32_t> id_of;
    std::vector<std::string> names;
    std::vector<Accumulator> functions;
    auto function_id = [&](std::string name) {
        auto [slot, added] = id_of.try_emplace(name, static_cast<uint32_t>(names.size()));
        if (added) {
            names.push_back(std::move(name));
            functions.emplace_back();
        }
        return slot->second;
    };
    HotspotTotals totals;
    std::vector<uint32_t> stack;
    std::vector<bool> seen;
    for (const Sample& s : p.samples) {
        table.count += count_index ? s.values[*count_index] : 1;
        const int64_t v = s.values[*index];
        table.total += v;
        if (v == 0 || s.frames.empty()) continue;

        const Frame& leaf = p.frames[s.frames.front()];
        const SourceLine* leaf_line = leaf.lines.empty() ? nullptr : &leaf.lines.front();
        const uint32_t leaf_id = function_id(function_name(p, leaf, leaf_line));
        functions[leaf_id].lines[{leaf_line ? leaf_line->file : "", leaf_line ? leaf_line->line : 0}].first += v;

        stack.clear();
        for (uint32_t fi : s.frames) {  // leaf first, so a recursive function's innermost line wins
            const Frame& frame = p.frames[fi];
            const size_t n = std::max<size_t>(frame.lines.size(), 1);
            for (size_t k = 0; k < n; ++k) {
                const SourceLine* line = frame.lines.empty() ? nullptr : &frame.lines[k];
                const uint32_t id = function_id(function_name(p, frame, line));
                if (seen.size() <= id) seen.resize(id + 1, false);
                if (seen[id]) continue;
                seen[id] = true;
                stack.push_back(id);
                Accumulator& acc = functions[id];
                acc.lines[{line ? line->file : "", line ? line->line : 0}].second += v;
                acc.modules[module_of(p, frame)] += v;
            }
        }
        if (stack.front() != leaf_id) stack.insert(stack.begin(), leaf_id);
        for (uint32_t id : stack) seen[id] = false;
        totals.add_stack(stack, static_cast<double>(v));
    }

    const HotspotOrder order = options.sort_by_cum ? HotspotOrder::by_total : HotspotOrder::by_self;
    for (uint32_t id : rank_hotspots(totals, order, [&](uint32_t f) { return names[f]; })) {
        Accumulator& acc = functions[id];
        acc.flat = static_cast<int64_t>(totals.self(id));
        acc.cum = static_cast<int64_t>(totals.total(id));
        table.rows.push_back(finish_row(names[id], acc));
    }
    table.functions = table.rows.size();
    if (options.rows != 0 && table.rows.size() > options.rows) table.rows.resize(options.rows);
    return table;
}

std::string render_top(const TopTable& t) {
    const std::string& unit = t.sample_type.unit;
    std::string out = t.sample_type.type + ": " + format_value(t.total, unit) + " total in " +
                      std::to_string(t.count) + " " + t.count_name + ", " +
                      std::to_string(t.files) + (t.files == 1 ? " file" : " files") + "\n";

    std::vector<std::vector<std::string>> cells;
    cells.push_back({"rank", "flat%", "cum%", "flat", "function", "location", "module"});
    for (size_t i = 0; i < t.rows.size(); ++i) {
        const TopRow& r = t.rows[i];
        std::string location = r.file.empty() ? "?" : basename(r.file);
        if (!r.file.empty() && r.line > 0) location += ":" + std::to_string(r.line);
        cells.push_back({std::to_string(i + 1), percent(r.flat, t.total), percent(r.cum, t.total),
                         format_value(r.flat, unit), r.function, location,
                         r.module.empty() ? "?" : r.module});
    }
    constexpr bool kRight[] = {true, true, true, true, false, false, false};
    size_t width[7] = {};
    for (const auto& row : cells) {
        for (size_t c = 0; c < 7; ++c) width[c] = std::max(width[c], row[c].size());
    }
    for (const auto& row : cells) {
        std::string line;
        for (size_t c = 0; c < 7; ++c) {
            if (c) line += "  ";
            line += c == 6 ? row[c] : pad(row[c], width[c], kRight[c]);
        }
        out += line + "\n";
    }
    if (t.rows.size() < t.functions) {
        out += "(" + std::to_string(t.rows.size()) + " of " + std::to_string(t.functions) +
               " functions shown)\n";
    }
    for (const std::string& c : t.comments) out += "# " + c + "\n";
    return out;
}

std::string format_value(int64_t value, const std::string& unit) {
    if (value == 0) return "0";
    const auto v = static_cast<double>(value);
    if (unit == "nanoseconds") {
        static constexpr double f[] = {1, 1e3, 1e6, 1e9};
        static constexpr const char* n[] = {"ns", "us", "ms", "s"};
        return scaled(v, f, n, 4);
    }
    if (unit == "bytes") {
        static constexpr double f[] = {1, 1024.0, 1048576.0, 1073741824.0, 1099511627776.0};
        static constexpr const char* n[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        return scaled(v, f, n, 5);
    }
    std::string out = std::to_string(value);
    if (!unit.empty() && unit != "count") out += " " + unit;
    return out;
}

}  // namespace siagent
