#include "dashboard/server/notify/secret_box.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "test/integration/process_runner.h"

using namespace siagent::dashboard::notify;
using siagent::testing::TemporaryDirectory;

namespace {

SecretKey key_of(unsigned char fill) {
    SecretKey key;
    key.fill(fill);
    return key;
}

}  // namespace

TEST_CASE("secret box: seals and opens; a wrong key, context or byte does not open", "[dashboard][notify]") {
    const SecretBox box(key_of(1));
    const std::string url = "https://hooks.example.com/services/T000/B000/secret";
    const std::string sealed = box.seal(url, "account 1");
    CHECK(sealed.size() == 12 + url.size() + 16);
    CHECK(sealed.find("secret") == std::string::npos);
    CHECK(sealed.find("hooks") == std::string::npos);
    CHECK(box.open(sealed, "account 1") == url);
    CHECK(box.seal(url, "account 1") != sealed);  // a fresh nonce every time

    CHECK_FALSE(SecretBox(key_of(2)).open(sealed, "account 1"));
    CHECK_FALSE(box.open(sealed, "account 2"));
    std::string tampered = sealed;
    tampered[20] ^= 1;
    CHECK_FALSE(box.open(tampered, "account 1"));
    CHECK_FALSE(box.open(sealed.substr(0, 27), "account 1"));
    CHECK_FALSE(box.open("", "account 1"));
    CHECK(box.open(box.seal("", "x"), "x") == "");
}

TEST_CASE("secret box: the key file is made once, mode 0600, and refused when unsafe", "[dashboard][notify]") {
    TemporaryDirectory directory;
    const std::filesystem::path path = std::filesystem::path(directory.path()) / "webhook.key";
    auto first = load_or_create_key(path);
    REQUIRE(first);
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    CHECK((status.st_mode & 0777) == 0600);
    CHECK(status.st_size == 32);
    auto again = load_or_create_key(path);
    REQUIRE(again);
    CHECK(again.value() == first.value());

    // What one KeyFile sealed, another on the same file opens (a restart).
    KeyFile writer(path), reader(path);
    auto sealed = writer.seal("https://h/x", "a");
    REQUIRE(sealed);
    CHECK(reader.open(sealed.value(), "a").value() == "https://h/x");
    CHECK_FALSE(reader.open(sealed.value(), "b"));

    ::chmod(path.c_str(), 0644);
    auto readable = load_or_create_key(path);
    REQUIRE_FALSE(readable);
    CHECK(readable.failure().reason.find("0600") != std::string::npos);

    const std::filesystem::path short_key = std::filesystem::path(directory.path()) / "short.key";
    std::ofstream(short_key) << "too short";
    ::chmod(short_key.c_str(), 0600);
    CHECK_FALSE(load_or_create_key(short_key));
}
