// The merged profile of a range, downloaded as a gzipped pprof file.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <ctime>
#include <thread>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"
#include "transport/gzip.h"
#include "transport/pprof.h"

using namespace siagent::testing;

TEST_CASE("api: a profile downloads as a pprof file with the view's total and frames", "[api][pprof]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    const std::string key = server.agent_key();
    REQUIRE(http_call(server.port(), agent_call(key, "upload", native_cpu_upload("shop", 7, now - 60, "checkout_fn"))).status == 200);
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const std::string app = std::to_string(parse_json(client.get("/api/apps").body)["apps"][0]["id"].GetInt64());
    const std::string range = "kind=cpu&from=" + std::to_string(now - 3600) + "&to=" + std::to_string(now + 60);
    double total = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    do {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        total = parse_json(client.get("/api/apps/" + app + "/profile?" + range).body)["total"].GetDouble();
    } while (total <= 0 && std::chrono::steady_clock::now() < deadline);
    REQUIRE(total > 0);

    HttpReply download = client.get("/api/apps/" + app + "/profile/pprof?" + range);
    REQUIRE(download.status == 200);
    CHECK(download.headers["content-type"] == "application/octet-stream");
    CHECK(download.headers["content-disposition"].find("attachment; filename=\"cpu-") == 0);
    CHECK(download.headers["content-encoding"].empty());  // the file is the gzip, not the transfer
    std::string error;
    auto inflated = siagent::gzip_decompress(download.body, 64 << 20, error);
    REQUIRE(inflated);
    auto profile = siagent::decode_pprof(*inflated, error);
    INFO(error);
    REQUIRE(profile);
    int64_t sum = 0;
    bool named = false;
    for (const siagent::Sample& sample : profile->samples) {
        sum += sample.values.front();
        for (uint32_t frame : sample.frames)
            for (const siagent::SourceLine& line : profile->frames[frame].lines)
                named = named || line.function.find("checkout_fn") != std::string::npos;
    }
    CHECK(std::fabs(static_cast<double>(sum) - total) <= profile->samples.size());  // rounding
    CHECK(named);

    CHECK(client.get("/api/apps/" + app + "/profile/pprof?kind=no%20such&from=0&to=1").status == 400);
    UiClient stranger(server.port());
    CHECK(stranger.get("/api/apps/" + app + "/profile/pprof?" + range).status == 401);
}
