// Protobuf decoding of profile.proto into the neutral model. Input is untrusted.
//
// Bounds: every read is checked against the end of its enclosing message before it happens;
// nesting is fixed (Profile > Sample > Label, Profile > Location > Line), so there is no
// recursion on input. Pass 1 parses into compact raw records (memory linear in the input);
// pass 2 resolves ids and string indices, and refuses a model that would grow past
// kMaxModelBytes (repeated references to one long string would otherwise multiply it).
#include <cstdint>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "transport/pprof.h"

namespace siagent {
namespace {

constexpr size_t kMaxModelBytes = size_t{1} << 30;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

struct Field {
    uint32_t number = 0;
    uint32_t wire = 0;
    uint64_t value = 0;      // wire type 0
    std::string_view bytes;  // wire type 2; a view into the input
    size_t offset = 0;       // of the tag, from the start of the whole input
    size_t body_offset = 0;  // of `bytes`, likewise
};

// Reads one message's fields. Does not own the bytes; `base` locates them in the input for
// error messages.
class ProtoIn {
public:
    ProtoIn(std::string_view bytes, size_t base, std::string& error)
        : p_(bytes.data()),
          end_(bytes.data() + bytes.size()),
          start_(bytes.data()),
          base_(base),
          error_(error) {}

    bool at_end() const { return p_ == end_; }
    size_t offset() const { return base_ + static_cast<size_t>(p_ - start_); }

    bool varint(uint64_t& v) {
        const size_t at = offset();
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p_ == end_) return fail("truncated varint", at);
            const auto byte = static_cast<unsigned char>(*p_++);
            // The 10th byte may only carry bit 63.
            if (shift == 63 && byte > 1) return fail("varint overflows 64 bits", at);
            v |= uint64_t{byte & 0x7fu} << shift;
            if ((byte & 0x80) == 0) return true;
        }
        return fail("varint longer than 10 bytes", at);
    }

    // Reads the next field. Fixed-width values are skipped (no field of profile.proto uses
    // them); groups and undefined wire types are malformed.
    bool next(Field& f) {
        f.offset = offset();
        uint64_t tag = 0;
        if (!varint(tag)) return false;
        if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
            return fail("invalid field number", f.offset);
        f.number = static_cast<uint32_t>(tag >> 3);
        f.wire = static_cast<uint32_t>(tag & 7);
        switch (f.wire) {
            case kVarint: return varint(f.value);
            case kFixed64: return skip(8, f.offset);
            case kFixed32: return skip(4, f.offset);
            case kLengthDelimited: {
                uint64_t len = 0;
                if (!varint(len)) return false;
                if (len > static_cast<uint64_t>(end_ - p_)) {
                    return fail(
                        "length " + std::to_string(len) + " runs past the end of its message",
                        f.offset);
                }
                f.body_offset = offset();
                f.bytes = std::string_view(p_, static_cast<size_t>(len));
                p_ += len;
                return true;
            }
            default: return fail("unsupported wire type " + std::to_string(f.wire), f.offset);
        }
    }

    bool fail(const std::string& what, size_t at) {
        error_ = "pprof: " + what + " at byte " + std::to_string(at);
        return false;
    }

private:
    bool skip(size_t n, size_t at) {
        if (static_cast<size_t>(end_ - p_) < n) return fail("truncated fixed-width field", at);
        p_ += n;
        return true;
    }

    const char* p_;
    const char* end_;
    const char* start_;
    size_t base_;
    std::string& error_;
};

struct RawLabel {
    int64_t key = 0, str = 0, num = 0, num_unit = 0;
};
struct RawSample {
    std::vector<uint64_t> location_ids;
    std::vector<int64_t> values;
    std::vector<RawLabel> labels;
};
struct RawMapping {
    uint64_t id = 0, start = 0, limit = 0, offset = 0;
    int64_t filename = 0, build_id = 0;
};
struct RawLine {
    uint64_t function_id = 0;
    int64_t line = 0;
};
struct RawLocation {
    uint64_t id = 0, mapping_id = 0, address = 0;
    std::vector<RawLine> lines;
};
struct RawFunction {
    uint64_t id = 0;
    int64_t name = 0, system_name = 0, filename = 0;
};
struct RawValueType {
    int64_t type = 0, unit = 0;
};
struct RawProfile {
    std::vector<RawValueType> sample_types;
    std::vector<RawSample> samples;
    std::vector<RawMapping> mappings;
    std::vector<RawLocation> locations;
    std::vector<RawFunction> functions;
    std::vector<std::string_view> strings;  // views into the input
    RawValueType period_type;
    int64_t period = 0, time_nanos = 0, duration_nanos = 0;
    std::vector<int64_t> comments;
};

// Pass 1: structure only; no cross-references are checked here.
class Parser {
public:
    explicit Parser(std::string& error) : error_(error) {}

    bool profile(std::string_view bytes, RawProfile& out) {
        Field whole;
        whole.bytes = bytes;
        return fields(whole, [&](ProtoIn& in, const Field& f) {
            switch (f.number) {
                case 1:
                    return message(in, f, "Profile.sample_type") &&
                           value_type(f, out.sample_types.emplace_back());
                case 2:
                    return message(in, f, "Profile.sample") &&
                           sample(f, out.samples.emplace_back());
                case 3:
                    return message(in, f, "Profile.mapping") &&
                           mapping(f, out.mappings.emplace_back());
                case 4:
                    return message(in, f, "Profile.location") &&
                           location(f, out.locations.emplace_back());
                case 5:
                    return message(in, f, "Profile.function") &&
                           function(f, out.functions.emplace_back());
                case 6:
                    if (!message(in, f, "Profile.string_table")) return false;
                    out.strings.push_back(f.bytes);
                    return true;
                case 9: return scalar(in, f, "Profile.time_nanos", out.time_nanos);
                case 10: return scalar(in, f, "Profile.duration_nanos", out.duration_nanos);
                case 11:
                    return message(in, f, "Profile.period_type") && value_type(f, out.period_type);
                case 12: return scalar(in, f, "Profile.period", out.period);
                case 13: return repeated(in, f, "Profile.comment", out.comments);
                default: return true;  // drop_frames, keep_frames, default_sample_type, ...
            }
        });
    }

private:
    // Calls handle(in, field) for each field of `outer`'s body; stops at the first false.
    template <typename Handler>
    bool fields(const Field& outer, Handler&& handle) {
        ProtoIn in(outer.bytes, outer.body_offset, error_);
        Field f;
        while (!in.at_end()) {
            if (!in.next(f) || !handle(in, f)) return false;
        }
        return true;
    }

    bool value_type(const Field& outer, RawValueType& vt) {
        return fields(outer, [&](ProtoIn& in, const Field& f) {
            switch (f.number) {
                case 1: return scalar(in, f, "ValueType.type", vt.type);
                case 2: return scalar(in, f, "ValueType.unit", vt.unit);
                default: return true;
            }
        });
    }

    bool sample(const Field& outer, RawSample& s) {
        return fields(outer, [&](ProtoIn& in, const Field& f) {
            switch (f.number) {
                case 1: return repeated(in, f, "Sample.location_id", s.location_ids);
                case 2: return repeated(in, f, "Sample.value", s.values);
                case 3: return message(in, f, "Sample.label") && label(f, s.labels.emplace_back());
                default: return true;
            }
        });
    }

    bool label(const Field& outer, RawLabel& l) {
        return fields(outer, [&](ProtoIn& in, const Field& f) {
            switch (f.number) {
                case 1: return scalar(in, f, "Label.key", l.key);
                case 2: return scalar(in, f, "Label.str", l.str);
                case 3: return scalar(in, f, "Label.num", l.num);
                case 4: return scalar(in, f, "Label.num_unit", l.num_unit);
                default: return true;
            }
        });
    }

    bool mapping(const Field& outer, RawMapping& m) {
        bool flag = false;  // has_* flags are checked but not kept in the model
        const bool ok = fields(outer, [&](ProtoIn& in, const Field& f) {
            switch (f.number) {
                case 1: return scalar(in, f, "Mapping.id", m.id);
                case 2: return scalar(in, f, "Mapping.memory_start", m.start);
                case 3: return scalar(in, f, "Mapping.memory_limit", m.limit);
                case 4: return scalar(in, f, "Mapping.file_offset", m.offset);
                case 5: return scalar(in, f, "Mapping.filename", m.filename);
                case 6: return scalar(in, f, "Mapping.build_id", m.build_id);
                case 7:
                case 8:
                case 9:
                case 10: return scalar(in, f, "Mapping.has_*", flag);
                default: return true;
            }
        });
        return ok && nonzero_id(m.id, "Mapping", outer);
    }

    bool location(const Field& outer, RawLocation& loc) {
        const bool ok = fields(outer, [&](ProtoIn& in, const Field& f) {
            switch (f.number) {
                case 1: return scalar(in, f, "Location.id", loc.id);
                case 2: return scalar(in, f, "Location.mapping_id", loc.mapping_id);
                case 3: return scalar(in, f, "Location.address", loc.address);
                case 4: return message(in, f, "Location.line") && line(f, loc.lines.emplace_back());
                default: return true;  // is_folded
            }
        });
        return ok && nonzero_id(loc.id, "Location", outer);
    }

    bool line(const Field& outer, RawLine& l) {
        return fields(outer, [&](ProtoIn& in, const Field& f) {
            switch (f.number) {
                case 1: return scalar(in, f, "Line.function_id", l.function_id);
                case 2: return scalar(in, f, "Line.line", l.line);
                default: return true;  // column
            }
        });
    }

    bool function(const Field& outer, RawFunction& fn) {
        int64_t start_line = 0;  // checked but not kept in the model
        const bool ok = fields(outer, [&](ProtoIn& in, const Field& f) {
            switch (f.number) {
                case 1: return scalar(in, f, "Function.id", fn.id);
                case 2: return scalar(in, f, "Function.name", fn.name);
                case 3: return scalar(in, f, "Function.system_name", fn.system_name);
                case 4: return scalar(in, f, "Function.filename", fn.filename);
                case 5: return scalar(in, f, "Function.start_line", start_line);
                default: return true;
            }
        });
        return ok && nonzero_id(fn.id, "Function", outer);
    }

    // pprof reserves id 0 for "none".
    bool nonzero_id(uint64_t id, const char* message, const Field& outer) {
        if (id != 0) return true;
        error_ = "pprof: " + std::string(message) + " without id (0 is reserved) at byte " +
                 std::to_string(outer.offset);
        return false;
    }

    static bool message(ProtoIn& in, const Field& f, const char* name) {
        if (f.wire == kLengthDelimited) return true;
        return in.fail(std::string(name) + " has wire type " + std::to_string(f.wire) +
                           ", expected 2 (length-delimited)",
                       f.offset);
    }

    template <typename T>
    static bool scalar(ProtoIn& in, const Field& f, const char* name, T& out) {
        if (f.wire != kVarint) {
            return in.fail(std::string(name) + " has wire type " + std::to_string(f.wire) +
                               ", expected 0 (varint)",
                           f.offset);
        }
        if constexpr (std::is_same_v<T, bool>) {
            out = f.value != 0;
        } else {
            out = static_cast<T>(f.value);  // int64 fields carry two's complement bits
        }
        return true;
    }

    // Repeated varints: packed (wire type 2) and unpacked (one per field) both occur.
    template <typename T>
    bool repeated(ProtoIn& in, const Field& f, const char* name, std::vector<T>& out) {
        if (f.wire == kVarint) {
            out.push_back(static_cast<T>(f.value));
            return true;
        }
        if (f.wire != kLengthDelimited) {
            return in.fail(std::string(name) + " has wire type " + std::to_string(f.wire) +
                               ", expected 0 or 2 (packed)",
                           f.offset);
        }
        ProtoIn packed(f.bytes, f.body_offset, error_);
        while (!packed.at_end()) {
            uint64_t v = 0;
            if (!packed.varint(v)) return false;
            out.push_back(static_cast<T>(v));
        }
        return true;
    }

    std::string& error_;
};

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
    if (!Parser(error).profile(bytes, raw)) return std::nullopt;
    Profile profile;
    if (!Resolver(raw, error).run(profile)) return std::nullopt;
    return profile;
}

}  // namespace siagent
