#include "dashboard/server/secrets.h"

#include <catch2/catch.hpp>


using namespace siagent::dashboard;

TEST_CASE("password hashes verify the password and nothing else", "[dashboard][secrets]") {
    const std::string stored = hash_password("correct horse battery", 1000);
    CHECK(stored.rfind("pbkdf2-sha256$1000$", 0) == 0);
    CHECK(verify_password("correct horse battery", stored));
    CHECK_FALSE(verify_password("correct horse batterY", stored));
    CHECK_FALSE(verify_password("", stored));
    CHECK(hash_password("same", 1000) != hash_password("same", 1000));  // salted
    CHECK_FALSE(verify_password("x", "pbkdf2-sha256$1000$zz$00"));
    CHECK_FALSE(verify_password("x", "plain"));
}

TEST_CASE("the default password hash is slow enough", "[dashboard][secrets]") {
    CHECK(kPasswordIterations >= 200'000);
    const std::string stored = hash_password("pw");
    CHECK(stored.rfind("pbkdf2-sha256$" + std::to_string(kPasswordIterations) + "$", 0) == 0);
    CHECK(verify_password("pw", stored));
}

TEST_CASE("agent keys: shape, prefix, hash", "[dashboard][secrets]") {
    const std::string key = new_agent_key();
    CHECK(key.size() == 35);
    CHECK(key.rfind("si_", 0) == 0);
    CHECK(agent_key_prefix(key) == key.substr(0, 7));
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(new_agent_key() != key);
}

TEST_CASE("basic auth gives the user name, the key", "[dashboard][secrets]") {
    CHECK(basic_auth_user("Basic c2lfYWJjOg==") == std::optional<std::string>("si_abc"));  // "si_abc:"
    CHECK(basic_auth_user("Basic c2lfYWJjZDo=") == std::optional<std::string>("si_abcd"));
    CHECK(basic_auth_user("Basic c2lfYWI6") == std::optional<std::string>("si_ab"));
    CHECK_FALSE(basic_auth_user("Bearer c2lfYWJjOg=="));
    CHECK_FALSE(basic_auth_user("Basic ###"));
    CHECK_FALSE(basic_auth_user(""));
}
