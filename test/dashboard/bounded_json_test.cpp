#include "dashboard/server/http/bounded_json.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard;

TEST_CASE("bounded JSON parses ordinary documents", "[dashboard][json]") {
    rapidjson::Document document;
    REQUIRE_FALSE(parse_bounded_json(R"({"a": [1, 2.5, "x", null, true], "b": {"c": -3}})", Limits{}, document));
    CHECK(document["a"].Size() == 5);
    CHECK(document["b"]["c"].GetInt() == -3);
}

TEST_CASE("bounded JSON refuses 10 000 levels of nesting without recursing", "[dashboard][json]") {
    const std::string deep = std::string(10'000, '[') + std::string(10'000, ']');
    rapidjson::Document document;
    auto failure = parse_bounded_json(deep, Limits{}, document);
    REQUIRE(failure);
    CHECK(failure->status == 400);
    CHECK(failure->reason.find("nested") != std::string::npos);

    const std::string objects = [] {
        std::string text;
        for (int i = 0; i < 10'000; ++i) text += "{\"a\":";
        return text + "1" + std::string(10'000, '}');
    }();
    REQUIRE(parse_bounded_json(objects, Limits{}, document));
}

TEST_CASE("bounded JSON refuses a 10 MB string with 413", "[dashboard][json]") {
    const std::string body = "{\"app_name\": \"" + std::string(10 * 1024 * 1024, 'x') + "\"}";
    rapidjson::Document document;
    auto failure = parse_bounded_json(body, Limits{}, document);
    REQUIRE(failure);
    CHECK(failure->status == 413);
}

TEST_CASE("bounded JSON counts nodes", "[dashboard][json]") {
    Limits limits;
    limits.json_nodes = 100;
    std::string array = "[";
    for (int i = 0; i < 200; ++i) array += (i ? ",1" : "1");
    array += "]";
    rapidjson::Document document;
    auto failure = parse_bounded_json(array, limits, document);
    REQUIRE(failure);
    CHECK(failure->status == 413);
}

TEST_CASE("bounded JSON refuses syntax errors, trailing junk and bad UTF-8", "[dashboard][json]") {
    rapidjson::Document document;
    // A NUL ends the reader's stream: what follows one must not be ignored.
    const std::string with_nul[] = {std::string("{}\0{}", 5), std::string("{\"a\": \"x\0y\"}", 12),
                                    std::string("[1]\0", 4)};
    for (const std::string& text : with_nul) {
        auto failure = parse_bounded_json(text, Limits{}, document);
        REQUIRE(failure);
        CHECK(failure->status == 400);
    }
    for (const std::string text : {"{\"a\": ", "{} {}", "[1,]", "", "\"\xff\xfe\"", "{\"a\": \"\xed\xa0\x80\"}"}) {
        auto failure = parse_bounded_json(text, Limits{}, document);
        REQUIRE(failure);
        CHECK(failure->status == 400);
    }
}

TEST_CASE("bounded JSON refuses unpaired surrogate escapes and keeps paired ones", "[dashboard][json]") {
    rapidjson::Document document;
    // Upper-case hex too: the body is scanned once for "\ud" or "\uD" before any string is.
    for (const std::string text : {R"({"name": "a\udcff"})", R"({"name": "\ud83d"})", R"({"\udc00": 1})",
                                   R"({"name": "a\uDCFF"})", R"({"ok": "x", "name": "\uD83D!"})"}) {
        INFO(text);
        auto failure = parse_bounded_json(text, Limits{}, document);
        REQUIRE(failure);
        CHECK(failure->status == 400);
    }
    REQUIRE_FALSE(parse_bounded_json(R"({"name": "\ud83d\ude00"})", Limits{}, document));
    CHECK(std::string(document["name"].GetString()) == "\xF0\x9F\x98\x80");
    REQUIRE_FALSE(parse_bounded_json(R"({"path": "C:\\ud\\x"})", Limits{}, document));  // an escaped backslash
    CHECK(std::string(document["path"].GetString()) == "C:\\ud\\x");
}
