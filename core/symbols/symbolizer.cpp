#include "core/symbols/symbolizer.h"

#include <utility>

#include "core/symbols/debug_info_library.h"

namespace siagent {

Symbolizer::Symbolizer() = default;

Symbolizer::Symbolizer(const std::vector<LoadedModule>& modules)
    : offline_modules_(std::make_unique<std::vector<LoadedModule>>(modules)) {}

Symbolizer::~Symbolizer() = default;

const Frame& Symbolizer::resolve(uint64_t address) {
    auto cached = cache_.find(address);
    if (cached != cache_.end()) return cached->second;
    return cache_.emplace(address, describe(address)).first->second;
}

void Symbolizer::note(uint64_t address) {
    if (reader_ != nullptr) {
        resolve(address);
    } else if (cache_.find(address) == cache_.end()) {
        pending_.push_back(address);
    }
}

void Symbolizer::resolve_pending() {
    for (uint64_t address : pending_) resolve(address);
    pending_.clear();
    pending_.shrink_to_fit();
}

bool Symbolizer::release_debug_info_if_idle(std::chrono::steady_clock::time_point now,
                                            std::chrono::milliseconds idle) {
    if (!reader_ || now - last_read_ < idle) return false;
    reader_.reset();
    return true;
}

uint32_t Symbolizer::mapping_for(const CodeModule& module) {
    auto key = std::make_pair(module.path, module.start);
    auto known = mapping_indices_.find(key);
    if (known != mapping_indices_.end()) return known->second;
    Mapping mapping;
    mapping.start = module.start;
    mapping.limit = module.limit;
    mapping.path = module.path;
    mapping.build_id = module.build_id;
    mappings_.push_back(mapping);
    uint32_t index = static_cast<uint32_t>(mappings_.size());
    mapping_indices_.emplace(std::move(key), index);
    return index;
}

Frame Symbolizer::describe(uint64_t address) {
    Frame frame;
    frame.address = address;
    last_read_ = std::chrono::steady_clock::now();
    if (!reader_ && !reader_failed_) {
        reader_ = open_debug_info(offline_modules_.get());
        reader_failed_ = !reader_;
    }
    if (!reader_) return frame;
    AddressFacts facts = reader_->describe(address);
    if (!facts.in_module) return frame;
    frame.lines = std::move(facts.lines);
    frame.mapping_index = mapping_for(facts.module);
    return frame;
}

}  // namespace siagent
