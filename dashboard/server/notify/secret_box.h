// Secrets at rest (webhook URLs): AES-256-GCM with a 32-byte key, a random 96-bit nonce per
// sealing, and associated data binding the sealed bytes to where they belong (an account), so
// a sealed value copied to another account's row does not open. Sealed form:
// nonce (12 bytes) || ciphertext || tag (16 bytes).
//
// The key lives in a file (raw 32 bytes, mode 0600) created at first use: KeyFile. A copy of
// the database alone does not reveal the URLs; the data directory with the key file does.
#pragma once

#include <array>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "dashboard/server/result.h"

namespace siagent::dashboard::notify {

using SecretKey = std::array<unsigned char, 32>;

class SecretBox {
public:
    explicit SecretBox(const SecretKey& key) : key_(key) {}

    std::string seal(std::string_view plaintext, std::string_view associated) const;
    // nullopt when the key, the associated data or the bytes are not those it was sealed with.
    std::optional<std::string> open(std::string_view sealed, std::string_view associated) const;

private:
    SecretKey key_;
};

// Reads the key at `path`, or creates it (random, mode 0600, never overwritten) when absent.
// Fails when the file is not exactly 32 bytes or readable by others than its owner.
Result<SecretKey> load_or_create_key(const std::filesystem::path& path);

// The server's SecretBox, keyed from `path` on first use (thread-safe).
class KeyFile {
public:
    explicit KeyFile(std::filesystem::path path) : path_(std::move(path)) {}

    Result<std::string> seal(std::string_view plaintext, std::string_view associated);
    Result<std::string> open(std::string_view sealed, std::string_view associated);

private:
    std::optional<Failure> ensure_box();

    std::filesystem::path path_;
    std::mutex mutex_;
    std::optional<SecretBox> box_;
};

}  // namespace siagent::dashboard::notify
