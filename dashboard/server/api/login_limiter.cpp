#include "dashboard/server/api/login_limiter.h"

#include <algorithm>
#include <cctype>

#include "dashboard/server/secrets.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kAddressFactor = 4;  // an address may fail for this many emails' worth

std::string address_key(const std::string& address) { return sha256_hex("ip:" + address); }

std::string pair_key(const std::string& address, const std::string& email) {
    std::string key = "pair:" + address + " " + email.substr(0, 320);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    return sha256_hex(key);
}

}  // namespace

bool LoginLimiter::blocked(const std::string& address, const std::string& email, int64_t now) {
    const int64_t after = now - window_seconds_;
    return storage_->login_failures_after(address_key(address), after) >=
               static_cast<int64_t>(max_failures_ * kAddressFactor) ||
           storage_->login_failures_after(pair_key(address, email), after) >=
               static_cast<int64_t>(max_failures_);
}

void LoginLimiter::record_failure(const std::string& address, const std::string& email, int64_t now) {
    const int64_t forget_up_to = now - window_seconds_;
    storage_->add_login_failure(address_key(address), now, forget_up_to);
    storage_->add_login_failure(pair_key(address, email), now, forget_up_to);
}

}  // namespace siagent::dashboard
