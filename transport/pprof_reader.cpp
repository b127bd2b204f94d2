// pprof decoding, pass 2: resolves the raw records of pass 1 (pprof_raw.h) into the neutral
// model. Input is untrusted: every id and string index is checked, and a model that would
// grow past kMaxModelBytes is refused (repeated references to one long string would
// otherwise multiply it).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "transport/pprof.h"
#include "transport/pprof_raw.h"

namespace siagent {
namespace {

using namespace pprof_raw;

constexpr size_t kMaxModelBytes = size_t{1} << 30;

// Pass 2: resolves ids and string indices into the model.
class Resolver {
public:
    Resolver(const RawProfile& raw, std::string& error) : raw_(raw), error_(error) {}

    bool run(Profile& p) {
        if (!raw_.strings.empty() && !raw_.strings[0].empty()) {
            return fail("string_table[0] must be the empty string");
        }
        for (const RawValueType& vt : raw_.sample_types) {
            if (!value_type(vt, p.sample_types.emplace_back())) return false;
        }
        if (!value_type(raw_.period_type, p.period_type)) return false;
        p.period = raw_.period;
        p.time_nanos = raw_.time_nanos;
        p.duration_nanos = raw_.duration_nanos;
        for (int64_t c : raw_.comments) {
            if (!string(c, "Profile.comment", p.comments.emplace_back())) return false;
        }
        return mappings(p) && functions() && locations(p) && samples(p);
    }

private:
    bool fail(const std::string& what) {
        error_ = "pprof: " + what;
        return false;
    }

    // Charges `bytes` against kMaxModelBytes.
    bool charge(size_t bytes) {
        model_bytes_ += bytes;
        if (model_bytes_ <= kMaxModelBytes) return true;
        return fail("decoded profile would exceed " + std::to_string(kMaxModelBytes >> 20) +
                    " MiB");
    }

    // Index 0 is "" even when the table is empty.
    bool valid_string(int64_t index, const char* where) {
        if (index >= 0 && (index == 0 || static_cast<uint64_t>(index) < raw_.strings.size())) {
            return true;
        }
        return fail(std::string(where) + " refers to string " + std::to_string(index) +
                    ", but the string table has " + std::to_string(raw_.strings.size()) +
                    " entries");
    }

    bool string(int64_t index, const char* where, std::string& out) {
        if (!valid_string(index, where)) return false;
        if (index == 0) {
            out.clear();
            return true;
        }
        const std::string_view s = raw_.strings[static_cast<size_t>(index)];
        if (!charge(s.size())) return false;
        out.assign(s);
        return true;
    }

    bool value_type(const RawValueType& raw, ValueType& vt) {
        return string(raw.type, "ValueType.type", vt.type) &&
               string(raw.unit, "ValueType.unit", vt.unit);
    }

    bool mappings(Profile& p) {
        if (raw_.mappings.size() >= UINT32_MAX) return fail("too many mappings");
        for (const RawMapping& raw : raw_.mappings) {
            const auto index = static_cast<uint32_t>(p.mappings.size() + 1);
            if (!mapping_index_.try_emplace(raw.id, index).second) {
                return fail("duplicate Mapping id " + std::to_string(raw.id));
            }
            Mapping& m = p.mappings.emplace_back();
            m.start = raw.start;
            m.limit = raw.limit;
            m.file_offset = raw.offset;
            if (!charge(sizeof(Mapping)) || !string(raw.filename, "Mapping.filename", m.path) ||
                !string(raw.build_id, "Mapping.build_id", m.build_id)) {
                return false;
            }
        }
        return true;
    }

    bool functions() {
        for (size_t i = 0; i < raw_.functions.size(); ++i) {
            if (!function_index_.try_emplace(raw_.functions[i].id, i).second) {
                return fail("duplicate Function id " + std::to_string(raw_.functions[i].id));
            }
        }
        return true;
    }

    bool locations(Profile& p) {
        if (raw_.locations.size() >= UINT32_MAX) return fail("too many locations");
        for (const RawLocation& raw : raw_.locations) {
            const auto index = static_cast<uint32_t>(p.frames.size());
            if (!frame_index_.try_emplace(raw.id, index).second) {
                return fail("duplicate Location id " + std::to_string(raw.id));
            }
            Frame& f = p.frames.emplace_back();
            if (!charge(sizeof(Frame))) return false;
            f.address = raw.address;
            if (raw.mapping_id != 0) {
                auto it = mapping_index_.find(raw.mapping_id);
                if (it == mapping_index_.end()) {
                    return fail("Location " + std::to_string(raw.id) +
                                " refers to missing Mapping " + std::to_string(raw.mapping_id));
                }
                f.mapping_index = it->second;
            }
            for (const RawLine& rl : raw.lines) {
                SourceLine& line = f.lines.emplace_back();
                if (!charge(sizeof(SourceLine)) || !source_line(raw, rl, line)) return false;
            }
        }
        return true;
    }

    bool source_line(const RawLocation& loc, const RawLine& raw, SourceLine& out) {
        out.line = raw.line;
        if (raw.function_id == 0) return true;
        auto it = function_index_.find(raw.function_id);
        if (it == function_index_.end()) {
            return fail("Location " + std::to_string(loc.id) + " refers to missing Function " +
                        std::to_string(raw.function_id));
        }
        const RawFunction& fn = raw_.functions[it->second];
        // Some producers fill only system_name.
        const int64_t name = fn.name != 0 ? fn.name : fn.system_name;
        return string(name, "Function.name", out.function) &&
               valid_string(fn.system_name, "Function.system_name") &&
               string(fn.filename, "Function.filename", out.file);
    }

    bool samples(Profile& p) {
        for (const RawSample& raw : raw_.samples) {
            if (raw.values.size() != raw_.sample_types.size()) {
                return fail("a Sample has " + std::to_string(raw.values.size()) + " values for " +
                            std::to_string(raw_.sample_types.size()) + " sample types");
            }
            Sample& s = p.samples.emplace_back();
            if (!charge(sizeof(Sample) + raw.location_ids.size() * sizeof(uint32_t) +
                        raw.values.size() * sizeof(int64_t))) {
                return false;
            }
            s.values = raw.values;
            s.frames.reserve(raw.location_ids.size());
            for (uint64_t id : raw.location_ids) {
                auto it = frame_index_.find(id);
                if (it == frame_index_.end()) {
                    return fail("a Sample refers to missing Location " + std::to_string(id));
                }
                s.frames.push_back(it->second);
            }
            for (const RawLabel& rl : raw.labels) {
                Label& l = s.labels.emplace_back();
                if (!charge(sizeof(Label)) || !label(rl, l)) return false;
            }
        }
        return true;
    }

    // A numeric label (num, num_unit) becomes its decimal text, followed by the unit if any.
    bool label(const RawLabel& raw, Label& out) {
        if (!string(raw.key, "Label.key", out.key) || !string(raw.str, "Label.str", out.value) ||
            !valid_string(raw.num_unit, "Label.num_unit")) {
            return false;
        }
        if (raw.str == 0 && (raw.num != 0 || raw.num_unit != 0)) {
            out.value = std::to_string(raw.num);
            if (raw.num_unit != 0) {
                out.value += ' ';
                out.value += raw_.strings[static_cast<size_t>(raw.num_unit)];
            }
            return charge(out.value.size());
        }
        return true;
    }

    const RawProfile& raw_;
    std::string& error_;
    size_t model_bytes_ = 0;
    std::unordered_map<uint64_t, uint32_t> mapping_index_;  // id -> 1-based mapping index
    std::unordered_map<uint64_t, size_t> function_index_;   // id -> raw_.functions index
    std::unordered_map<uint64_t, uint32_t> frame_index_;    // id -> 0-based frame index
};

}  // namespace

std::optional<Profile> decode_pprof(std::string_view bytes, std::string& error) {
    RawProfile raw;
    if (!pprof_raw::parse(bytes, raw, error)) return std::nullopt;
    Profile profile;
    if (!Resolver(raw, error).run(profile)) return std::nullopt;
    return profile;
}

}  // namespace siagent
