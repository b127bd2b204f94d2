// Hand-written protobuf encoding of profile.proto (github.com/google/pprof/proto).
//
// Ids: Location id = frame index + 1, Mapping id = mapping index + 1, Function ids are
// assigned 1.. in order of first use. String index 0 is always "".
//
// The output is always valid pprof even if the model is not: out-of-range frame or mapping
// indices are dropped (written as "no reference"), and each sample's value list is padded or
// cut to the number of sample types, which Go's reader insists on.
#include <map>
#include <unordered_map>
#include <utility>

#include "transport/pprof.h"
#include "transport/protobuf_wire.h"

namespace siagent {
namespace {

using protobuf::ProtoOut;
using namespace protobuf::wire_types;

// Field numbers of profile.proto.
namespace profile_field {
constexpr uint32_t kSampleType = 1, kSample = 2, kMapping = 3, kLocation = 4, kFunction = 5,
                   kStringTable = 6, kTimeNanos = 9, kDurationNanos = 10, kPeriodType = 11,
                   kPeriod = 12, kComment = 13;
}
namespace value_type_field {
constexpr uint32_t kType = 1, kUnit = 2;
}
namespace sample_field {
constexpr uint32_t kLocationId = 1, kValue = 2, kLabel = 3;
}
namespace label_field {
constexpr uint32_t kKey = 1, kStr = 2;
}
namespace mapping_field {
constexpr uint32_t kId = 1, kMemoryStart = 2, kMemoryLimit = 3, kFileOffset = 4, kFilename = 5,
                   kBuildId = 6, kHasFunctions = 7, kHasFilenames = 8, kHasLineNumbers = 9,
                   kHasInlineFrames = 10;
}
namespace location_field {
constexpr uint32_t kId = 1, kMappingId = 2, kAddress = 3, kLine = 4;
}
namespace line_field {
constexpr uint32_t kFunctionId = 1, kLine = 2;
}
namespace function_field {
constexpr uint32_t kId = 1, kName = 2, kSystemName = 3, kFilename = 4;
}

class StringTable {
public:
    StringTable() { index(""); }
    int64_t index(const std::string& s) {
        auto [it, inserted] = ids_.try_emplace(s, static_cast<int64_t>(strings_.size()));
        if (inserted) strings_.push_back(s);
        return it->second;
    }
    const std::vector<std::string>& strings() const { return strings_; }

private:
    std::unordered_map<std::string, int64_t> ids_;
    std::vector<std::string> strings_;
};

struct MappingFlags {
    bool any = false;
    bool functions = true;
    bool filenames = true;
    bool line_numbers = true;
};

class Encoder {
public:
    explicit Encoder(const Profile& p) : p_(p) {}

    std::string run() {
        std::string out;
        ProtoOut w(out);
        std::string body;
        for (const ValueType& vt : p_.sample_types) {
            w.bytes_field(profile_field::kSampleType, value_type(vt, body));
        }
        for (const Sample& s : p_.samples) w.bytes_field(profile_field::kSample, sample(s, body));
        const std::vector<MappingFlags> flags = mapping_flags();
        for (size_t i = 0; i < p_.mappings.size(); ++i) {
            w.bytes_field(profile_field::kMapping, mapping(i, flags[i], body));
        }
        for (size_t i = 0; i < p_.frames.size(); ++i) {
            w.bytes_field(profile_field::kLocation, location(i, body));
        }
        for (size_t i = 0; i < functions_.size(); ++i) {
            w.bytes_field(profile_field::kFunction, function(i, body));
        }
        w.int_field(profile_field::kTimeNanos, p_.time_nanos);
        w.int_field(profile_field::kDurationNanos, p_.duration_nanos);
        if (!p_.period_type.type.empty() || !p_.period_type.unit.empty()) {
            w.bytes_field(profile_field::kPeriodType, value_type(p_.period_type, body));
        }
        w.int_field(profile_field::kPeriod, p_.period);
        std::vector<int64_t> comments;
        for (const std::string& c : p_.comments) comments.push_back(strings_.index(c));
        w.packed_field(profile_field::kComment, comments);
        // Last, so that every string referenced above is already in the table.
        for (const std::string& s : strings_.strings())
            w.bytes_field(profile_field::kStringTable, s);
        return out;
    }

private:
    const std::string& value_type(const ValueType& vt, std::string& body) {
        body.clear();
        ProtoOut w(body);
        w.int_field(value_type_field::kType, strings_.index(vt.type));
        w.int_field(value_type_field::kUnit, strings_.index(vt.unit));
        return body;
    }

    const std::string& sample(const Sample& s, std::string& body) {
        std::vector<uint64_t> ids;
        ids.reserve(s.frames.size());
        for (uint32_t f : s.frames) {
            if (f < p_.frames.size()) ids.push_back(uint64_t{f} + 1);
        }
        std::vector<int64_t> values = s.values;
        values.resize(p_.sample_types.size(), 0);

        body.clear();
        ProtoOut w(body);
        w.packed_field(sample_field::kLocationId, ids);
        w.packed_field(sample_field::kValue, values);
        std::string label_body;
        for (const Label& l : s.labels) {
            label_body.clear();
            ProtoOut lw(label_body);
            lw.int_field(label_field::kKey, strings_.index(l.key));
            lw.int_field(label_field::kStr, strings_.index(l.value));
            w.bytes_field(sample_field::kLabel, label_body);
        }
        return body;
    }

    std::vector<MappingFlags> mapping_flags() const {
        std::vector<MappingFlags> flags(p_.mappings.size());
        for (const Frame& f : p_.frames) {
            if (f.mapping_index == 0 || f.mapping_index > flags.size()) continue;
            MappingFlags& m = flags[f.mapping_index - 1];
            m.any = true;
            if (f.lines.empty()) m.functions = m.filenames = m.line_numbers = false;
            for (const SourceLine& l : f.lines) {
                if (l.function.empty()) m.functions = false;
                if (l.file.empty()) m.filenames = false;
                if (l.line <= 0) m.line_numbers = false;
            }
        }
        return flags;
    }

    const std::string& mapping(size_t i, const MappingFlags& flags, std::string& body) {
        const Mapping& m = p_.mappings[i];
        body.clear();
        ProtoOut w(body);
        w.uint_field(mapping_field::kId, i + 1);
        w.uint_field(mapping_field::kMemoryStart, m.start);
        w.uint_field(mapping_field::kMemoryLimit, m.limit);
        w.uint_field(mapping_field::kFileOffset, m.file_offset);
        w.int_field(mapping_field::kFilename, strings_.index(m.path));
        w.int_field(mapping_field::kBuildId, strings_.index(m.build_id));
        // A flag claims completeness for every frame in the mapping; a mapping no frame
        // points into claims nothing. pprof re-symbolizes mappings without has_functions.
        const bool functions = flags.any && flags.functions;
        w.bool_field(mapping_field::kHasFunctions, functions);
        w.bool_field(mapping_field::kHasFilenames, flags.any && flags.filenames);
        w.bool_field(mapping_field::kHasLineNumbers, flags.any && flags.line_numbers);
        w.bool_field(mapping_field::kHasInlineFrames, functions);
        return body;
    }

    const std::string& location(size_t i, std::string& body) {
        const Frame& f = p_.frames[i];
        // Resolve function ids first: they may add strings but never touch `body`.
        std::vector<uint64_t> function_ids;
        function_ids.reserve(f.lines.size());
        for (const SourceLine& l : f.lines) function_ids.push_back(function_id(l));

        body.clear();
        ProtoOut w(body);
        w.uint_field(location_field::kId, i + 1);
        if (f.mapping_index <= p_.mappings.size()) {
            w.uint_field(location_field::kMappingId, f.mapping_index);
        }
        w.uint_field(location_field::kAddress, f.address);
        std::string line_body;
        for (size_t k = 0; k < f.lines.size(); ++k) {  // innermost first, as pprof wants
            line_body.clear();
            ProtoOut lw(line_body);
            lw.uint_field(line_field::kFunctionId, function_ids[k]);
            lw.int_field(line_field::kLine, f.lines[k].line);
            w.bytes_field(location_field::kLine, line_body);
        }
        return body;
    }

    // 0 (no function) for a line with neither name nor file; otherwise one id per (name, file).
    uint64_t function_id(const SourceLine& l) {
        if (l.function.empty() && l.file.empty()) return 0;
        const std::pair<int64_t, int64_t> key{strings_.index(l.function), strings_.index(l.file)};
        auto [it, inserted] = function_ids_.try_emplace(key, functions_.size() + 1);
        if (inserted) functions_.push_back(key);
        return it->second;
    }

    const std::string& function(size_t i, std::string& body) {
        body.clear();
        ProtoOut w(body);
        w.uint_field(function_field::kId, i + 1);
        w.int_field(function_field::kName, functions_[i].first);
        // The model keeps only the demangled name, so system_name repeats it.
        w.int_field(function_field::kSystemName, functions_[i].first);
        w.int_field(function_field::kFilename, functions_[i].second);
        return body;
    }

    const Profile& p_;
    StringTable strings_;
    std::map<std::pair<int64_t, int64_t>, uint64_t> function_ids_;  // (name, file) -> id
    std::vector<std::pair<int64_t, int64_t>> functions_;            // id - 1 -> (name, file)
};

}  // namespace

std::string encode_pprof(const Profile& profile) { return Encoder(profile).run(); }

}  // namespace siagent
