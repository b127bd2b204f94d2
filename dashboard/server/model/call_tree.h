// A call tree as flat node rows. Invariants: node 0 is the root; a node's parent has a
// smaller index than the node; no two children of one parent share a name (adding a
// duplicate folds into the existing child, which merges Go's one-node-per-line reports);
// values are inclusive (a node's value >= the sum of its children's).
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace siagent::dashboard {

class CallTree {
public:
    static constexpr uint32_t kRoot = 0;

    CallTree();

    // The child of `parent` named `name`; created with value 0 when absent.
    uint32_t child(uint32_t parent, std::string_view name);
    void add(uint32_t node, double value) { values_[node] += value; }

    size_t size() const { return parents_.size(); }
    double value(uint32_t node) const { return values_[node]; }
    uint32_t parent(uint32_t node) const { return parents_[node]; }
    const std::string& name(uint32_t node) const { return names_[name_of_[node]]; }

    // Adds every node of `other`, times `factor`, at the same path in this tree.
    void merge(const CallTree& other, double factor = 1.0);
    void scale(double factor);
    // Raises every value to at least the sum of its children's.
    void make_inclusive();
    // Children lists, indexed by node.
    std::vector<std::vector<uint32_t>> children() const;

    // Compact form for storage: a name dictionary then (parent, name, value) rows, gzipped.
    std::string encode() const;
    static std::optional<CallTree> decode(std::string_view blob, size_t max_nodes);
    // Adds an encoded tree, times `factor`, into `into` without building it first (the
    // query path merges thousands). False, with `into` partly merged, on a corrupt blob.
    static bool merge_encoded(std::string_view blob, size_t max_nodes, double factor, CallTree& into);
    // The root's value of an encoded tree (what merge_encoded would add to the root) without
    // building it; nullopt on a blob merge_encoded would refuse.
    static std::optional<double> encoded_root_value(std::string_view blob, size_t max_nodes);

private:
    uint32_t child_by_name_id(uint32_t parent, uint32_t name_id);

    struct NameHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };
    uint32_t intern(std::string_view name);

    std::vector<std::string> names_;
    std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> name_ids_;
    std::vector<uint32_t> parents_;
    std::vector<uint32_t> name_of_;
    std::vector<double> values_;
    // parent << 32 | name id -> node. Open addressing: a merged profile looks up every node
    // of thousands of trees here (std::unordered_map's node per entry made it 22 % of a
    // 24 h merge's time).
    boost::unordered_flat_map<uint64_t, uint32_t> child_index_;
};

}  // namespace siagent::dashboard
