// Certificates made at test time with OpenSSL's API: a test CA and server certificates it
// signs, valid or expired, for chosen names. PEM text in memory; nothing is written
// unless the test does it.
#pragma once

#include <string>
#include <vector>

namespace siagent::testing {

struct TestCertificate {
    std::string certificate_pem;
    std::string key_pem;
};

struct CertificateRequest {
    std::string common_name = "siagent test server";
    std::vector<std::string> dns_names;   // subjectAltName DNS entries
    std::vector<std::string> ip_addresses;  // subjectAltName IP entries
    long valid_from_seconds = -3600;      // relative to now
    long valid_until_seconds = 86400;     // relative to now (negative: expired)
};

class TestCertificateAuthority {
public:
    TestCertificateAuthority();  // a fresh self-signed CA (EC P-256)
    ~TestCertificateAuthority();
    TestCertificateAuthority(const TestCertificateAuthority&) = delete;
    TestCertificateAuthority& operator=(const TestCertificateAuthority&) = delete;

    const std::string& certificate_pem() const { return ca_.certificate_pem; }
    TestCertificate issue(const CertificateRequest& request) const;

private:
    TestCertificate ca_;
};

}  // namespace siagent::testing
