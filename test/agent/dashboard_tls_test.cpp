// HTTPS to a test server whose certificates come from a CA made at test time.
#include <catch2/catch.hpp>

#include <fstream>

#include "test/support/test_certificates.h"
#include "test/agent/sink_harness.h"

using namespace siagent;
using namespace siagent::testing;
using namespace std::chrono_literals;

namespace {

struct CaFile {
    std::string path;
    explicit CaFile(const std::string& pem) {
        path = "/tmp/siagent-test-ca-" + std::to_string(getpid()) + ".pem";
        std::ofstream(path) << pem;
    }
    ~CaFile() { unlink(path.c_str()); }
};

CertificateRequest for_loopback() {
    CertificateRequest request;
    request.dns_names = {"localhost"};
    request.ip_addresses = {"127.0.0.1"};
    return request;
}

// Runs a sink against `server` until its upload is sent or `wait` passes; returns (uploads
// seen by the server, stderr).
std::pair<size_t, std::string> upload_over_tls(TestDashboard& server, const std::string& host,
                                               const std::string& ca_file, std::chrono::milliseconds wait = 2500ms,
                                               const TransportTimings& timings = short_timings()) {
    StderrCapture capture;
    SinkHarness harness(server.address(host), ca_file, timings);
    harness.deliver_cpu();
    harness.run_until([&] { return harness.sink->stats().queue.sent == 1; }, wait);
    return {server.count("/agent/v1/upload"), capture.text()};
}

}  // namespace

TEST_CASE("https with a certificate from SI_CA_FILE's CA, by IP address and by name") {
    TestCertificateAuthority ca;
    TestCertificate certificate = ca.issue(for_loopback());
    CaFile ca_file(ca.certificate_pem());
    TestDashboard server(&certificate);
    // The first exchange loads OpenSSL and makes a handshake: on a loaded machine that once
    // took longer than the harness's 500 ms connect timeout, and the retry's notice was
    // the only thing said. Here nothing may be said, so the timeouts are longer than the product's
    // own (5 s and 20 s).
    const TransportTimings patient = parse_transport_timings("flush=100,config_first=50,connect=10000,request=30000");
    for (const char* host : {"127.0.0.1", "localhost"}) {
        INFO(host);
        auto [uploads, err] = upload_over_tls(server, host, ca_file.path, 30s, patient);
        CHECK(uploads >= 1);
        CHECK(err == "");  // shows what was said
    }
}

TEST_CASE("https refuses an untrusted, expired or misnamed certificate, and says so once") {
    TestCertificateAuthority ca;
    CaFile ca_file(ca.certificate_pem());
    struct Case {
        const char* what;
        CertificateRequest request;
        std::string ca;
        const char* reason;
    };
    CertificateRequest expired = for_loopback();
    expired.valid_from_seconds = -10 * 86400;
    expired.valid_until_seconds = -86400;
    CertificateRequest misnamed;
    misnamed.dns_names = {"dashboard.example"};
    for (const Case& c : {Case{"CA not trusted (no SI_CA_FILE)", for_loopback(), "", "unable to get local issuer"},
                          Case{"expired", expired, ca_file.path, "expired"},
                          Case{"wrong host", misnamed, ca_file.path, "mismatch"}}) {
        INFO(c.what);
        TestCertificate certificate = ca.issue(c.request);
        TestDashboard server(&certificate);
        auto [uploads, err] = upload_over_tls(server, "127.0.0.1", c.ca);
        INFO(err);
        CHECK(uploads == 0);  // nothing was sent over the refused connection
        CHECK(server.connections() >= 2);  // retried, in the background
        CHECK(std::count(err.begin(), err.end(), '\n') == 1);  // said once
        CHECK(err.find("TLS handshake failed") != std::string::npos);
        CHECK(err.find(c.reason) != std::string::npos);
    }
}

TEST_CASE("an SI_CA_FILE that cannot be read is said once; the system's CAs still apply") {
    StderrCapture capture;
    SinkHarness harness("https://127.0.0.1:1", "/nonexistent/ca.pem");
    // TLS is prepared for the first request (OpenSSL is loaded then): several requests go
    // out (and fail: nothing listens on port 1) in this second.
    harness.run_until([] { return false; }, 1000ms);
    std::string err = capture.text();
    INFO(err);
    CHECK(err.find("siagent: cannot load SI_CA_FILE /nonexistent/ca.pem") == 0);
    size_t said = 0;
    for (size_t at = err.find("cannot load SI_CA_FILE"); at != std::string::npos;
         at = err.find("cannot load SI_CA_FILE", at + 1))
        ++said;
    CHECK(said == 1);
}
