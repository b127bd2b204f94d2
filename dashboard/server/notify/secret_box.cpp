#include "dashboard/server/notify/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

namespace siagent::dashboard::notify {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
    CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!context) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    return context;
}

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
unsigned char* bytes(std::string& text, size_t offset = 0) { return reinterpret_cast<unsigned char*>(text.data() + offset); }

bool read_exactly(int fd, unsigned char* out, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::read(fd, out + done, size - done);
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    unsigned char extra;
    return ::read(fd, &extra, 1) == 0;  // nothing after the key
}

}  // namespace

std::string SecretBox::seal(std::string_view plaintext, std::string_view associated) const {
    std::string sealed(kNonceBytes + plaintext.size() + kTagBytes, '\0');
    if (RAND_bytes(bytes(sealed), kNonceBytes) != 1) throw std::runtime_error("RAND_bytes failed");
    auto context = new_context();
    int length = 0;
    bool ok = EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes(sealed)) == 1 &&
              EVP_EncryptUpdate(context.get(), nullptr, &length, bytes(associated), static_cast<int>(associated.size())) == 1 &&
              EVP_EncryptUpdate(context.get(), bytes(sealed, kNonceBytes), &length, bytes(plaintext),
                                static_cast<int>(plaintext.size())) == 1 &&
              EVP_EncryptFinal_ex(context.get(), bytes(sealed, kNonceBytes + length), &length) == 1 &&
              EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                  bytes(sealed, kNonceBytes + plaintext.size())) == 1;
    if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
    return sealed;
}

std::optional<std::string> SecretBox::open(std::string_view sealed, std::string_view associated) const {
    if (sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
    const size_t size = sealed.size() - kNonceBytes - kTagBytes;
    std::string plaintext(size, '\0');
    std::string tag(sealed.substr(kNonceBytes + size));
    auto context = new_context();
    int length = 0;
    const bool ok =
        EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes(sealed)) == 1 &&
        EVP_DecryptUpdate(context.get(), nullptr, &length, bytes(associated), static_cast<int>(associated.size())) == 1 &&
        EVP_DecryptUpdate(context.get(), bytes(plaintext), &length, bytes(sealed.substr(kNonceBytes)),
                          static_cast<int>(size)) == 1 &&
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(context.get(), bytes(plaintext, static_cast<size_t>(length)), &length) == 1;
    if (!ok) return std::nullopt;
    return plaintext;
}

Result<SecretKey> load_or_create_key(const std::filesystem::path& path) {
    SecretKey key{};
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) {
        if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) return Failure{500, "no random bytes for the key"};
        // O_EXCL: two starts racing do not overwrite each other's key; the loser reads the winner's.
        const std::filesystem::path partial = path.string() + ".new." + std::to_string(::getpid());
        int out = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (out < 0) return Failure{500, "cannot create " + path.string()};
        const bool written = ::write(out, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(out) == 0;
        ::close(out);
        if (!written || ::link(partial.c_str(), path.c_str()) != 0) {
            ::unlink(partial.c_str());
            if (written && errno == EEXIST) return load_or_create_key(path);
            return Failure{500, "cannot write " + path.string()};
        }
        ::unlink(partial.c_str());
        return key;
    }
    if (fd < 0) return Failure{500, "cannot read " + path.string()};
    struct stat status {};
    const bool private_file = ::fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && (status.st_mode & 077) == 0;
    const bool read = private_file && read_exactly(fd, key.data(), key.size());
    ::close(fd);
    if (!private_file) return Failure{500, path.string() + " must be a regular file of mode 0600"};
    if (!read) return Failure{500, path.string() + " is not a 32-byte key"};
    return key;
}

std::optional<Failure> KeyFile::ensure_box() {
    if (box_) return std::nullopt;
    auto key = load_or_create_key(path_);
    if (!key) return key.failure();
    box_.emplace(key.value());
    return std::nullopt;
}

Result<std::string> KeyFile::seal(std::string_view plaintext, std::string_view associated) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto failure = ensure_box()) return *failure;
    return box_->seal(plaintext, associated);
}

Result<std::string> KeyFile::open(std::string_view sealed, std::string_view associated) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto failure = ensure_box()) return *failure;
    auto plaintext = box_->open(sealed, associated);
    if (!plaintext) return Failure{500, "a sealed secret does not open with " + path_.filename().string()};
    return std::move(*plaintext);
}

}  // namespace siagent::dashboard::notify
