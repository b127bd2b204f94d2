#include "dashboard/server/notify/webhook_url.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard::notify;

TEST_CASE("webhook url: masked to scheme, host and the last characters", "[dashboard][notify]") {
    CHECK(mask_webhook_url("https://hooks.slack.com/services/T000/B000/XXXXsecretAbCd") ==
          "https://hooks.slack.com/…AbCd");
    CHECK(mask_webhook_url("http://127.0.0.1:9000/hook?token=s3cr3t-WXYZ") == "http://127.0.0.1:9000/…WXYZ");
    CHECK(mask_webhook_url("https://example.com") == "https://example.com/");
    CHECK(mask_webhook_url("https://example.com/") == "https://example.com/");
    // A short path shows at most a quarter of itself.
    CHECK(mask_webhook_url("https://example.com/abcdefgh") == "https://example.com/…gh");
    CHECK(mask_webhook_url("https://example.com/ab") == "https://example.com/…");
    CHECK(mask_webhook_url("not a url") == "…");
}

TEST_CASE("webhook url: http and https with a host only; the reason never repeats the url", "[dashboard][notify]") {
    auto url = parse_webhook_url("https://hooks.example.com:8443/a/b?c=d#frag");
    REQUIRE(url);
    CHECK(url->address.tls);
    CHECK(url->address.host == "hooks.example.com");
    CHECK(url->address.port == "8443");
    CHECK(url->target == "/a/b?c=d");
    auto plain = parse_webhook_url("http://127.0.0.1");
    REQUIRE(plain);
    CHECK_FALSE(plain->address.tls);
    CHECK(plain->address.port == "80");
    CHECK(plain->target == "/");
    CHECK(parse_webhook_url("http://h?x=1")->target == "/?x=1");

    for (const char* bad : {"", "ftp://h/secret", "hooks.example.com/secret", "https:///secret", "https://u:p@h/secret",
                            "https://h:99999/secret", "https://h:0/secret", "https://h/sec ret", "https://h/\x01secret",
                            "https://h:port/secret"}) {
        INFO(bad);
        auto parsed = parse_webhook_url(bad);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.failure().status == 400);
        CHECK(parsed.failure().reason.find("secret") == std::string::npos);
    }
    CHECK_FALSE(parse_webhook_url("https://h/" + std::string(kMaxWebhookUrlBytes, 'a')));
    CHECK(parse_webhook_url("https://h/" + std::string(kMaxWebhookUrlBytes - 10, 'a')));
}
