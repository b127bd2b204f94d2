#include "transport/metric.h"

#include <openssl/evp.h>

#include <cstdio>

#include "transport/openssl_lifetime.h"

namespace siagent {

void Breakdown::propagate() {
    for (Breakdown& child : children) {
        child.propagate();
        measurement += child.measurement;
        num_samples += child.num_samples;
        for (const auto& [span, value] : child.spans) spans[span] += value;
    }
}

size_t Breakdown::node_count() const {
    size_t count = 1;
    for (const Breakdown& child : children) count += child.node_count();
    return count;
}

std::string metric_id(const AgentIdentity& identity, const std::string& type,
                      const std::string& category, const std::string& name,
                      const std::string& unit) {
    std::string text = identity.app_name + identity.app_environment + identity.host_name + type +
                       category + name + unit;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr) != 1)
        return {};
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        char pair[3];
        snprintf(pair, sizeof pair, "%02x", digest[i]);
        hex += pair;
    }
    return hex;
}

std::string MetricIds::id(const std::string& type, const std::string& category,
                          const std::string& name, const std::string& unit) {
    // Separated by a byte no name contains, so that different splits never collide.
    std::string key = type + '\x1f' + category + '\x1f' + name + '\x1f' + unit;
    auto known = ids_.find(key);
    if (known != ids_.end()) return known->second;
    if (!openssl_ready()) return {};
    return ids_.emplace(key, metric_id(identity_, type, category, name, unit)).first->second;
}

}  // namespace siagent
