#include "core/error/error_aggregator.h"

#include <cxxabi.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <numeric>

#include "core/symbols/symbolizer.h"

namespace siagent {

std::vector<int64_t> split_by_weight(int64_t total, const std::vector<double>& weights) {
    std::vector<int64_t> shares(weights.size(), 0);
    double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    if (weights.empty() || sum <= 0) return shares;
    std::vector<std::pair<double, size_t>> remainders;
    int64_t given = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
        double exact = static_cast<double>(total) * weights[i] / sum;
        shares[i] = static_cast<int64_t>(std::floor(exact));
        given += shares[i];
        remainders.push_back({exact - std::floor(exact), i});
    }
    // Ties go to the earlier entry, so the split is deterministic.
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; given < total && !remainders.empty(); i = (i + 1) % remainders.size()) {
        ++shares[remainders[i].second];
        ++given;
    }
    return shares;
}

std::string demangle_type_name(const char* mangled) {
    if (mangled == nullptr) return "";
    if (*mangled == '*') ++mangled;  // GCC marks types local to a translation unit
    int status = 0;
    char* readable = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    if (status != 0 || readable == nullptr) return mangled;
    std::string result(readable);
    free(readable);
    return result;
}

size_t ErrorAggregator::KeyHash::operator()(const Key& key) const {
    size_t hash = std::hash<std::string>()(key.message) * 31 + std::hash<std::string>()(key.thread);
    hash = hash * 1099511628211ull ^ static_cast<size_t>(key.slot) ^ (key.truncated ? 0x9e37u : 0);
    for (uint64_t address : key.addresses) hash = hash * 1099511628211ull ^ address;
    return hash;
}

void ErrorAggregator::add(const ErrorSample& sample, const std::string& thread_name) {
    Key key;
    key.slot = sample.slot;
    key.thread = thread_name;
    key.truncated = sample.truncated != 0;
    key.has_message = sample.has_message != 0;
    if (key.has_message) key.message = sample.message;
    // Every frame is a return address here (the throw site included): the call itself is
    // the byte before, which keeps the line lookup inside the calling statement.
    for (int i = 0; i < sample.depth; ++i)
        key.addresses.push_back(sample.frames[i] == 0 ? 0 : sample.frames[i] - 1);
    auto existing = stacks_.find(key);
    if (existing == stacks_.end()) {
        if (stacks_.size() >= max_unique_stacks_) return;
        existing = stacks_.emplace(std::move(key), 0.0).first;
        unsymbolized_.push_back(&existing->first);
    }
    existing->second += sample.weight;
}

void ErrorAggregator::symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) {
    for (const Key* key : unsymbolized_) {
        for (uint64_t address : key->addresses)
            if (!hidden.contains(address)) symbolizer.note(address);
    }
    unsymbolized_.clear();
}

// Frames of one profile: each address and each pseudo frame (a name) stored once.
class ErrorAggregator::Builder {
public:
    Builder(Profile& profile, Symbolizer& symbolizer, const CodeRanges& hidden)
        : profile_(profile), symbolizer_(symbolizer), hidden_(hidden) {}

    void add_address(Sample& sample, uint64_t address) {
        if (hidden_.contains(address)) return;
        auto known = by_address_.find(address);
        if (known == by_address_.end()) {
            profile_.frames.push_back(symbolizer_.resolve(address));
            known = by_address_.emplace(address, profile_.frames.size() - 1).first;
        }
        sample.frames.push_back(known->second);
    }

    void add_named(Sample& sample, const std::string& name) {
        auto known = by_name_.find(name);
        if (known == by_name_.end()) {
            Frame frame;
            frame.lines.push_back({name, "", 0});
            profile_.frames.push_back(std::move(frame));
            known = by_name_.emplace(name, profile_.frames.size() - 1).first;
        }
        sample.frames.push_back(known->second);
    }

private:
    Profile& profile_;
    Symbolizer& symbolizer_;
    const CodeRanges& hidden_;
    std::unordered_map<uint64_t, uint32_t> by_address_;
    std::unordered_map<std::string, uint32_t> by_name_;
};

namespace {

// The leaf: what was thrown. Control characters of the message are shown escaped.
std::string leaf_name(const std::string& type, bool has_message, const std::string& message) {
    if (!has_message) return type;
    std::string name = type + ": ";
    for (unsigned char c : message) {
        if (c >= 0x20 && c != 0x7f) {
            name += static_cast<char>(c);
        } else {
            static const char kDigits[] = "0123456789abcdef";
            name += "\\x";
            name += kDigits[c >> 4];
            name += kDigits[c & 15];
        }
    }
    return name;
}

}  // namespace

Profile ErrorAggregator::take_profile(const std::vector<ThrowSiteCount>& sites,
                                      Symbolizer& symbolizer, const ProfileShape& shape) {
    Profile profile = shape.empty_profile();
    Builder builder(profile, symbolizer, shape.hidden_code);

    std::map<int, std::vector<std::pair<const Key*, double>>> by_slot;
    for (const auto& [key, weight] : stacks_) by_slot[key.slot].push_back({&key, weight});
    for (const ThrowSiteCount& site : sites) {
        if (site.count <= 0) continue;
        const auto& kept = by_slot[site.slot];
        if (kept.empty()) {  // no stack sampled for it this period: the site alone
            Sample sample;
            builder.add_named(sample, site.type);
            if (site.site != 0) builder.add_address(sample, site.site - 1);
            sample.values = {site.count};
            sample.labels = {{"exception", site.type}};
            profile.samples.push_back(std::move(sample));
            continue;
        }
        std::vector<double> weights;
        for (const auto& entry : kept) weights.push_back(entry.second);
        std::vector<int64_t> shares = split_by_weight(site.count, weights);
        for (size_t i = 0; i < kept.size(); ++i) {
            if (shares[i] == 0) continue;
            const Key& key = *kept[i].first;
            Sample sample;
            builder.add_named(sample, leaf_name(site.type, key.has_message, key.message));
            for (uint64_t address : key.addresses) builder.add_address(sample, address);
            if (key.truncated) builder.add_named(sample, "[truncated]");
            sample.values = {shares[i]};
            sample.labels = {{"exception", site.type}};
            if (!key.thread.empty()) sample.labels.push_back({"thread", key.thread});
            profile.samples.push_back(std::move(sample));
        }
    }
    profile.mappings = symbolizer.mappings();
    stacks_.clear();
    unsymbolized_.clear();
    return profile;
}

}  // namespace siagent
