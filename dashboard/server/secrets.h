// Passwords, tokens and keys. Passwords are stored as PBKDF2-HMAC-SHA256 with a random
// salt; session tokens and agent keys are stored as their SHA-256 only, so a copy of the
// database does not let anyone log in or upload.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace siagent::dashboard {

inline constexpr int kPasswordIterations = 210'000;

// The shortest password a user may choose (the UI, `user add` prints random ones).
inline constexpr size_t kMinPasswordLength = 10;

// "pbkdf2-sha256$<iterations>$<salt hex>$<key hex>"
std::string hash_password(std::string_view password, int iterations = kPasswordIterations);
// Constant-time comparison; false on a malformed stored hash.
bool verify_password(std::string_view password, std::string_view stored);

// `bytes` cryptographically random bytes as lower-case hex.
std::string random_hex(size_t bytes);
std::string sha256_hex(std::string_view data);
bool equal_constant_time(std::string_view a, std::string_view b);

// A new agent key ("si_" + 32 hex digits) and what may be shown of it later.
std::string new_agent_key();
std::string agent_key_prefix(std::string_view key);

// The user name of an `Authorization: Basic ...` value (the agent key), or nullopt.
std::optional<std::string> basic_auth_user(std::string_view header);

}  // namespace siagent::dashboard
