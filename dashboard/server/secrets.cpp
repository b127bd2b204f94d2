#include "dashboard/server/secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace siagent::dashboard {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;

std::string to_hex(const unsigned char* data, size_t size) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (size_t i = 0; i < size; ++i) {
        out.push_back(digits[data[i] >> 4]);
        out.push_back(digits[data[i] & 15]);
    }
    return out;
}

std::optional<std::vector<unsigned char>> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::vector<unsigned char> out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        auto [end, error] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, out[i], 16);
        if (error != std::errc() || end != hex.data() + 2 * i + 2) return std::nullopt;
    }
    return out;
}

std::vector<unsigned char> pbkdf2(std::string_view password, const std::vector<unsigned char>& salt,
                                  int iterations) {
    std::vector<unsigned char> key(kKeyBytes);
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                          static_cast<int>(salt.size()), iterations, EVP_sha256(),
                          static_cast<int>(key.size()), key.data()) != 1) {
        throw std::runtime_error("PBKDF2 failed");
    }
    return key;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
        const size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

}  // namespace

std::string random_hex(size_t bytes) {
    std::vector<unsigned char> data(bytes);
    if (RAND_bytes(data.data(), static_cast<int>(bytes)) != 1) throw std::runtime_error("RAND_bytes failed");
    return to_hex(data.data(), bytes);
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return to_hex(digest, sizeof digest);
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hash_password(std::string_view password, int iterations) {
    auto salt = *from_hex(random_hex(kSaltBytes));
    auto key = pbkdf2(password, salt, iterations);
    return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + to_hex(salt.data(), salt.size()) + "$" +
           to_hex(key.data(), key.size());
}

bool verify_password(std::string_view password, std::string_view stored) {
    auto parts = split(stored, '$');
    if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
    int iterations = 0;
    auto [end, error] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
    if (error != std::errc() || iterations < 1000 || iterations > 10'000'000) return false;
    auto salt = from_hex(parts[2]);
    if (!salt || parts[3].size() != kKeyBytes * 2) return false;
    auto key = pbkdf2(password, *salt, iterations);
    return equal_constant_time(to_hex(key.data(), key.size()), parts[3]);
}

std::string new_agent_key() { return "si_" + random_hex(16); }

std::string agent_key_prefix(std::string_view key) { return std::string(key.substr(0, 7)); }

std::optional<std::string> basic_auth_user(std::string_view header) {
    constexpr std::string_view scheme = "Basic ";
    if (header.size() <= scheme.size() || header.size() > 1024) return std::nullopt;
    if (header.substr(0, scheme.size()) != scheme) return std::nullopt;
    std::string_view encoded = header.substr(scheme.size());
    while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
    if (encoded.empty() || encoded.size() % 4 != 0) return std::nullopt;
    std::vector<unsigned char> decoded(encoded.size() / 4 * 3 + 1);
    const int length = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(encoded.data()),
                                       static_cast<int>(encoded.size()));
    if (length < 0) return std::nullopt;
    // EVP_DecodeBlock keeps the zero bytes that padding stands for; drop them. Padding is
    // at most two characters ("====" decodes to 3 bytes and would leave a negative size).
    size_t padding = 0;
    for (size_t i = encoded.size(); i > 0 && encoded[i - 1] == '='; --i) ++padding;
    if (padding > 2 || padding > static_cast<size_t>(length)) return std::nullopt;
    const size_t size = static_cast<size_t>(length) - padding;
    std::string text(reinterpret_cast<const char*>(decoded.data()), size);
    const size_t colon = text.find(':');
    return colon == std::string::npos ? text : text.substr(0, colon);
}

}  // namespace siagent::dashboard
