// pprof decoding, pass 1: the wire structure of profile.proto parsed into compact raw
// records that still hold ids and string-table indices (memory linear in the input; the
// strings are views into it). transport/pprof_reader.cpp resolves them into a Profile.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siagent::pprof_raw {

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

// Parses `bytes` (untrusted) into `out`; on malformed input returns false with `error` set.
// Cross-references are not checked here.
bool parse(std::string_view bytes, RawProfile& out, std::string& error);

}  // namespace siagent::pprof_raw
