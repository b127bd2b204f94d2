// pprof decoding, pass 1 (see pprof_raw.h). Bounds: every read is checked against the end of
// its enclosing message before it happens; nesting is fixed (Profile > Sample > Label,
// Profile > Location > Line), so there is no recursion on input.
#include "transport/pprof_raw.h"

#include <type_traits>

#include "transport/protobuf_wire.h"

namespace siagent::pprof_raw {
namespace {

using protobuf::Field;
using protobuf::ProtoIn;
using namespace protobuf::wire_types;

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

}  // namespace

bool parse(std::string_view bytes, RawProfile& out, std::string& error) {
    return Parser(error).profile(bytes, out);
}

}  // namespace siagent::pprof_raw
