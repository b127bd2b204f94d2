#include "dashboard/server/model/call_tree.h"

#include <cstring>

#include "dashboard/server/model/gunzip.h"
#include "dashboard/server/gzip_fast.h"

namespace siagent::dashboard {
namespace {

void put_varint(std::string& out, uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

class Cursor {
public:
    explicit Cursor(std::string_view data) : data_(data) {}
    bool varint(uint64_t& value) {
        value = 0;
        for (int shift = 0; shift < 64 && at_ < data_.size(); shift += 7) {
            const auto byte = static_cast<unsigned char>(data_[at_++]);
            value |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return true;
        }
        return false;
    }
    bool bytes(size_t count, std::string_view& out) {
        if (count > data_.size() - at_) return false;
        out = data_.substr(at_, count);
        at_ += count;
        return true;
    }
    bool done() const { return at_ == data_.size(); }

private:
    std::string_view data_;
    size_t at_ = 0;
};

uint64_t key(uint32_t parent, uint32_t name) { return static_cast<uint64_t>(parent) << 32 | name; }

// Reads the encoded form: `name(text)` for each entry of the name dictionary, in order, then
// `node(index, parent, name, value)` for each row, in order (parent < index, name < the
// dictionary's size, checked). False on a corrupt blob, after whatever calls came before.
template <class OnName, class OnNode>
bool read_encoded(std::string_view blob, size_t max_nodes, OnName&& on_name, OnNode&& on_node) {
    std::string error;
    auto raw = gunzip(blob, max_nodes * 64 + 1024 * 1024, error);
    if (!raw) return false;
    Cursor in(*raw);
    uint64_t name_count = 0, node_count = 0;
    if (!in.varint(name_count) || name_count > raw->size()) return false;
    for (uint64_t i = 0; i < name_count; ++i) {
        uint64_t length = 0;
        std::string_view name;
        if (!in.varint(length) || !in.bytes(length, name)) return false;
        on_name(name);
    }
    if (!in.varint(node_count) || node_count == 0 || node_count > max_nodes) return false;
    for (uint64_t node = 0; node < node_count; ++node) {
        uint64_t parent = 0, name = 0;
        std::string_view bytes;
        if (!in.varint(parent) || !in.varint(name) || !in.bytes(sizeof(double), bytes)) return false;
        if (name >= name_count || (node > 0 && parent >= node)) return false;
        double value = 0;
        std::memcpy(&value, bytes.data(), sizeof value);
        on_node(node, parent, name, value);
    }
    return in.done();
}

}  // namespace

CallTree::CallTree() {
    name_of_.push_back(intern("root"));
    parents_.push_back(kRoot);
    values_.push_back(0);
}

uint32_t CallTree::intern(std::string_view name) {
    auto found = name_ids_.find(name);
    if (found != name_ids_.end()) return found->second;
    const auto id = static_cast<uint32_t>(names_.size());
    names_.emplace_back(name);
    name_ids_.emplace(names_.back(), id);
    return id;
}

uint32_t CallTree::child(uint32_t parent, std::string_view name) { return child_by_name_id(parent, intern(name)); }

uint32_t CallTree::child_by_name_id(uint32_t parent, uint32_t name_id) {
    auto [slot, added] = child_index_.try_emplace(key(parent, name_id), static_cast<uint32_t>(size()));
    if (added) {
        parents_.push_back(parent);
        name_of_.push_back(name_id);
        values_.push_back(0);
    }
    return slot->second;
}

void CallTree::merge(const CallTree& other, double factor) {
    // Names are hashed once per distinct name, not once per node.
    std::vector<uint32_t> name_here(other.names_.size());
    for (size_t name = 0; name < other.names_.size(); ++name) name_here[name] = intern(other.names_[name]);
    std::vector<uint32_t> here(other.size());
    here[kRoot] = kRoot;
    values_[kRoot] += other.values_[kRoot] * factor;
    for (uint32_t node = 1; node < other.size(); ++node) {
        here[node] = child_by_name_id(here[other.parents_[node]], name_here[other.name_of_[node]]);
        values_[here[node]] += other.values_[node] * factor;
    }
}

void CallTree::scale(double factor) {
    for (double& value : values_) value *= factor;
}

void CallTree::make_inclusive() {
    std::vector<double> child_sums(size(), 0.0);
    // Children have larger indices than their parents, so walking backwards sees every
    // node's children before the node.
    for (size_t node = size(); node-- > 1;) {
        if (values_[node] < child_sums[node]) values_[node] = child_sums[node];
        child_sums[parents_[node]] += values_[node];
    }
    if (values_[kRoot] < child_sums[kRoot]) values_[kRoot] = child_sums[kRoot];
}

std::vector<std::vector<uint32_t>> CallTree::children() const {
    std::vector<std::vector<uint32_t>> lists(size());
    for (uint32_t node = 1; node < size(); ++node) lists[parents_[node]].push_back(node);
    return lists;
}

std::string CallTree::encode() const {
    std::string raw;
    put_varint(raw, names_.size());
    for (const auto& name : names_) {
        put_varint(raw, name.size());
        raw += name;
    }
    put_varint(raw, size());
    for (size_t node = 0; node < size(); ++node) {
        put_varint(raw, parents_[node]);
        put_varint(raw, name_of_[node]);
        char bytes[sizeof(double)];
        std::memcpy(bytes, &values_[node], sizeof bytes);
        raw.append(bytes, sizeof bytes);
    }
    return gzip_fast(raw, kGzipStoredLevel);
}

std::optional<CallTree> CallTree::decode(std::string_view blob, size_t max_nodes) {
    CallTree tree;
    if (!merge_encoded(blob, max_nodes, 1.0, tree)) return std::nullopt;
    return tree;
}

bool CallTree::merge_encoded(std::string_view blob, size_t max_nodes, double factor, CallTree& into) {
    std::vector<uint32_t> name_here;
    std::vector<uint32_t> here;
    return read_encoded(
        blob, max_nodes, [&](std::string_view name) { name_here.push_back(into.intern(name)); },
        [&](uint64_t node, uint64_t parent, uint64_t name, double value) {
            here.push_back(node > 0 ? into.child_by_name_id(here[parent], name_here[name]) : kRoot);
            into.add(here[node], value * factor);
        });
}

std::optional<double> CallTree::encoded_root_value(std::string_view blob, size_t max_nodes) {
    double root = 0;
    const bool whole = read_encoded(blob, max_nodes, [](std::string_view) {},
                                    [&](uint64_t node, uint64_t, uint64_t, double value) {
                                        if (node == 0) root = value;
                                    });
    return whole ? std::optional<double>(root) : std::nullopt;
}

}  // namespace siagent::dashboard
