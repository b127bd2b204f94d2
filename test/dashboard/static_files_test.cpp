#include "dashboard/server/http/static_files.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>

using namespace siagent::dashboard;

namespace {

struct WebRoot {
    std::filesystem::path base = std::filesystem::temp_directory_path() /
                                 ("siagent-static-" + std::to_string(::getpid()));
    std::filesystem::path root = base / "web";
    WebRoot() {
        std::filesystem::create_directories(root / "assets");
        std::ofstream(root / "index.html") << "<html>index</html>";
        std::ofstream(root / "assets" / "app.js") << "console.log(1)";
        std::ofstream(base / "secret.txt") << "secret";
        std::filesystem::create_symlink(base / "secret.txt", root / "link.txt");
    }
    ~WebRoot() { std::filesystem::remove_all(base); }
};

Response get(const std::filesystem::path& root, const std::string& target) {
    Request request{http::verb::get, target, 11};
    return serve_static(root, request);
}

}  // namespace

TEST_CASE("static files: content types and the index fallback", "[dashboard][static]") {
    WebRoot web;
    auto script = get(web.root, "/assets/app.js");
    CHECK(script.result() == http::status::ok);
    CHECK(script[http::field::content_type] == "text/javascript; charset=utf-8");
    auto route = get(web.root, "/apps/3/cpu?from=1");
    CHECK(route.body() == "<html>index</html>");
    CHECK(route[http::field::content_type] == "text/html; charset=utf-8");
}

TEST_CASE("static files: nothing outside the root", "[dashboard][static]") {
    WebRoot web;
    CHECK(get(web.root, "/../secret.txt").result() == http::status::bad_request);
    CHECK(get(web.root, "/assets/%2e%2e/%2e%2e/secret.txt").result() == http::status::bad_request);
    CHECK(get(web.root, "/assets/..%2f..%2fsecret.txt").result() == http::status::bad_request);
    CHECK(get(web.root, "/link.txt").body() == "<html>index</html>");  // a link leading out is not served
    CHECK(get(web.root, "/%00").result() == http::status::bad_request);
    CHECK(get("", "/").result() == http::status::not_found);
}
