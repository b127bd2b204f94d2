// A symbolized profile: the neutral model every wire format encodes and decodes.
//
// Ownership: plain values. The agent thread builds one per report from its aggregated
// stacks (core/stack_aggregator.h) and hands it to an encoder (transport/pprof_writer.h);
// the `siagent` tool gets the same model back from transport/pprof_reader.h.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace siagent {

struct ValueType {
    std::string type;  // e.g. "cpu"
    std::string unit;  // e.g. "nanoseconds"
};

// One source position. A Frame holds several when code was inlined.
struct SourceLine {
    std::string function;  // demangled, e.g. "burn_cpu(int)"
    std::string file;      // empty when the binary has no debug info
    int64_t line = 0;      // 0 when unknown
};

// A loaded object (executable or shared library) that frames point into.
struct Mapping {
    uint64_t start = 0;
    uint64_t limit = 0;
    uint64_t file_offset = 0;
    std::string path;
    std::string build_id;  // lower-case hex, empty when unknown
};

// One code address of a call stack.
struct Frame {
    uint64_t address = 0;        // the sampled PC for a leaf, the call site for callers
    uint32_t mapping_index = 0;  // 1-based index into Profile::mappings; 0 = unknown
    // Innermost first: lines.front() is the deepest inlined callee, lines.back() the
    // function that really owns `address`. Empty when nothing could be resolved.
    std::vector<SourceLine> lines;
};

struct Label {
    std::string key;
    std::string value;
    bool operator==(const Label&) const = default;
};

struct Sample {
    std::vector<uint32_t> frames;  // indices into Profile::frames, leaf first
    std::vector<int64_t> values;   // one per Profile::sample_types
    std::vector<Label> labels;
    // How many records the profiler actually captured for this sample (before any
    // weighting into estimated counts); 0 = unknown, readers fall back to the count value.
    // Never encoded in pprof files.
    int64_t raw_samples = 0;
};

struct Profile {
    std::vector<ValueType> sample_types;
    ValueType period_type;
    int64_t period = 0;
    int64_t time_nanos = 0;      // start of the covered interval (Unix epoch)
    int64_t duration_nanos = 0;  // length of the covered interval
    std::vector<Mapping> mappings;
    std::vector<Frame> frames;
    std::vector<Sample> samples;
    std::vector<std::string> comments;
};

}  // namespace siagent
