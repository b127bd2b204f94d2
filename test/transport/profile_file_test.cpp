#include "transport/profile_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "transport/gzip.h"
#include "transport/pprof.h"

using namespace siagent;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string templ = (fs::temp_directory_path() / "siagent-pf-XXXXXX").string();
        REQUIRE(::mkdtemp(templ.data()) != nullptr);
        path_ = templ;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

Profile cpu_profile() {
    Profile p;
    p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
    p.period_type = {"cpu", "nanoseconds"};
    p.period = 10'000'000;
    p.time_nanos = 1'700'000'000'000'000'000;
    p.duration_nanos = 10'000'000'000;
    p.mappings = {{0x400000, 0x500000, 0, "/usr/bin/app", "deadbeef"}};
    p.frames.push_back({0x401000, 1, {{"burn_cpu(int)", "/src/app.cc", 12}}});
    p.frames.push_back(
        {0x401100,
         1,
         {{"inlined_step(int)", "/src/util.h", 5}, {"do_work(int)", "/src/app.cc", 30}}});
    p.frames.push_back({0x401200, 1, {{"main", "/src/app.cc", 50}}});
    p.samples.push_back({{0, 2}, {7, 70'000'000}, {{"thread", "main"}}});
    p.samples.push_back({{1, 2}, {3, 30'000'000}, {{"thread", "worker"}}});
    p.comments = {"written by profile_file_test"};
    return p;
}

std::set<std::string> entries(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

void write_bytes(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary) << data;
}

std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int status = ::pclose(pipe);
    INFO(command << "\n" << out);
    CHECK(status == 0);
    return out;
}

}  // namespace

TEST_CASE("write_profile_file names files <kind>-<pid>-<seconds>.pb.gz and creates dirs") {
    TempDir tmp;
    const std::string dir = tmp.path() + "/nested/deeper";
    std::string error;
    const auto path = write_profile_file(dir, "cpu", 4242, 1700000000, cpu_profile(), error);
    INFO(error);
    REQUIRE(path);
    CHECK(*path == dir + "/cpu-4242-1700000000.pb.gz");
    CHECK(entries(dir) == std::set<std::string>{"cpu-4242-1700000000.pb.gz"});

    std::ifstream in(*path, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(data.size() > 2);
    CHECK(static_cast<unsigned char>(data[0]) == 0x1f);  // gzip, as the contract says
    CHECK(static_cast<unsigned char>(data[1]) == 0x8b);

    // A trailing slash and an existing directory are fine.
    CHECK(write_profile_file(dir + "//", "alloc", 1, 5, cpu_profile(), error) ==
          dir + "/alloc-1-5.pb.gz");
}

TEST_CASE("write_profile_file bumps to the next free second and leaves no temp files") {
    TempDir tmp;
    const std::string& dir = tmp.path();
    std::string error;
    write_bytes(dir + "/cpu-7-101.pb.gz", "someone else's");
    std::vector<std::string> written;
    for (int i = 0; i < 3; ++i) {
        auto path = write_profile_file(dir, "cpu", 7, 100, cpu_profile(), error);
        INFO(error);
        REQUIRE(path);
        written.push_back(*path);
    }
    CHECK(written == std::vector<std::string>{dir + "/cpu-7-100.pb.gz", dir + "/cpu-7-102.pb.gz",
                                              dir + "/cpu-7-103.pb.gz"});
    // Other kinds and pids do not collide.
    CHECK(*write_profile_file(dir, "alloc", 7, 100, cpu_profile(), error) ==
          dir + "/alloc-7-100.pb.gz");
    CHECK(*write_profile_file(dir, "cpu", 8, 100, cpu_profile(), error) ==
          dir + "/cpu-8-100.pb.gz");
    CHECK(entries(dir) == std::set<std::string>{"cpu-7-100.pb.gz", "cpu-7-101.pb.gz",
                                                "cpu-7-102.pb.gz", "cpu-7-103.pb.gz",
                                                "alloc-7-100.pb.gz", "cpu-8-100.pb.gz"});
    std::ifstream untouched(dir + "/cpu-7-101.pb.gz");
    std::string text;
    std::getline(untouched, text);
    CHECK(text == "someone else's");
}

TEST_CASE("write_profile_file reports bad arguments and unwritable places") {
    TempDir tmp;
    std::string error;
    CHECK_FALSE(write_profile_file(tmp.path(), "a/b", 1, 1, cpu_profile(), error));
    CHECK(error.find("kind") != std::string::npos);
    CHECK_FALSE(write_profile_file(tmp.path(), "", 1, 1, cpu_profile(), error));
    CHECK_FALSE(write_profile_file("", "cpu", 1, 1, cpu_profile(), error));

    write_bytes(tmp.path() + "/plainfile", "x");
    error.clear();
    CHECK_FALSE(
        write_profile_file(tmp.path() + "/plainfile/sub", "cpu", 1, 1, cpu_profile(), error));
    CHECK(error.find("plainfile") != std::string::npos);
    CHECK(entries(tmp.path()) == std::set<std::string>{"plainfile"});
}

TEST_CASE("read_profile_file reads back what was written, gzipped or plain") {
    TempDir tmp;
    std::string error;
    const Profile p = cpu_profile();
    const auto path = write_profile_file(tmp.path(), "cpu", 1, 2, p, error);
    REQUIRE(path);
    auto back = read_profile_file(*path, error);
    INFO(error);
    REQUIRE(back);
    CHECK(encode_pprof(*back) == encode_pprof(p));

    const std::string plain = tmp.path() + "/plain.pb";
    write_bytes(plain, encode_pprof(p));
    back = read_profile_file(plain, error);
    REQUIRE(back);
    CHECK(encode_pprof(*back) == encode_pprof(p));
}

TEST_CASE("read_profile_file rejects missing, empty, corrupt and oversized files") {
    TempDir tmp;
    const std::string& d = tmp.path();
    std::string error;
    CHECK_FALSE(read_profile_file(d + "/missing.pb.gz", error));
    CHECK(error.find("missing.pb.gz") != std::string::npos);

    write_bytes(d + "/empty", "");
    CHECK_FALSE(read_profile_file(d + "/empty", error));
    CHECK(error.find("empty") != std::string::npos);

    std::string gz = gzip_compress(encode_pprof(cpu_profile()));
    gz.resize(gz.size() / 2);
    write_bytes(d + "/truncated.pb.gz", gz);
    CHECK_FALSE(read_profile_file(d + "/truncated.pb.gz", error));
    CHECK(error.find("gzip") != std::string::npos);

    write_bytes(d + "/garbage.pb.gz", gzip_compress("\x0a\x05 not a profile"));
    CHECK_FALSE(read_profile_file(d + "/garbage.pb.gz", error));
    CHECK(error.find("pprof") != std::string::npos);

    CHECK_FALSE(read_profile_file(d, error));  // a directory

    // A sparse file one byte over 256 MiB is refused without decoding.
    const std::string big = d + "/big.pb";
    { std::ofstream(big, std::ios::binary).put('\0'); }
    fs::resize_file(big, (size_t{256} << 20) + 1);
    CHECK_FALSE(read_profile_file(big, error));
    CHECK(error.find("256 MiB") != std::string::npos);
}

TEST_CASE("Go's pprof reads our files (skipped when go is not on PATH)") {
    if (std::system("command -v go >/dev/null 2>&1") != 0) {
        WARN("go is not on PATH: skipping the check against the reference pprof reader");
        return;
    }
    TempDir tmp;
    std::string error;
    const auto path =
        write_profile_file(tmp.path() + "/out", "cpu", 99, 1700000000, cpu_profile(), error);
    REQUIRE(path);
    const std::string env = "env HOME=" + tmp.path() + " GOCACHE=" + tmp.path() +
                            "/gocache GOFLAGS= GOTOOLCHAIN=local PPROF_TMPDIR=" + tmp.path() + " ";
    const std::string pprof = env + "go tool pprof -symbolize=none ";

    const std::string top = run(pprof + "-top -sample_index=1 " + *path + " 2>&1");
    CHECK_THAT(top, Catch::Contains("Type: cpu"));
    CHECK_THAT(top, Catch::Contains("70ms 70.00%"));  // flat of burn_cpu
    CHECK_THAT(top, Catch::Contains("burn_cpu(int)"));
    CHECK_THAT(top, Catch::Contains("inlined_step(int) (inline)"));
    CHECK_THAT(top, Catch::Contains("100ms   100%  main"));  // cum of main

    const std::string lines = run(pprof + "-top -lines -sample_index=1 " + *path + " 2>&1");
    CHECK_THAT(lines, Catch::Contains("burn_cpu(int) /src/app.cc:12"));
    CHECK_THAT(lines, Catch::Contains("do_work(int) /src/app.cc:30"));

    const std::string raw = run(pprof + "-raw " + *path + " 2>&1");
    CHECK_THAT(raw, Catch::Contains("samples/count cpu/nanoseconds"));
    CHECK_THAT(raw, Catch::Contains("7   70000000: "));  // pprof renumbers locations
    CHECK_THAT(raw, Catch::Contains("3   30000000: "));
    CHECK_THAT(raw, Catch::Contains("thread:[worker]"));
    CHECK_THAT(raw, Catch::Contains("written by profile_file_test"));
    CHECK_THAT(raw, Catch::Contains("/usr/bin/app deadbeef [FN][FL][LN][IN]"));
}
