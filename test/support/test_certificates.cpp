#include "test/support/test_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace siagent::testing {
namespace {

struct Free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    void operator()(X509* certificate) const { X509_free(certificate); }
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Certificate = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(length));
}

std::string key_pem(EVP_PKEY* key) {
    Bio bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "key PEM");
    return bio_text(bio.get());
}

std::string pem_of(X509* certificate) {
    Bio bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_X509(bio.get(), certificate) == 1, "certificate PEM");
    return bio_text(bio.get());
}

template <typename T, typename Read>
std::unique_ptr<T, Free> read_pem(const std::string& pem, Read read) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::unique_ptr<T, Free> value(read(bio.get(), nullptr, nullptr, nullptr));
    check(value != nullptr, "read PEM");
    return value;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    check(extension != nullptr, "extension");
    X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
}

// An unsigned certificate for `key`, named `common_name`, valid in the given window.
Certificate new_certificate(EVP_PKEY* key, const std::string& common_name, long from, long until) {
    static long serial = 1;
    Certificate certificate(X509_new());
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), from);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), until);
    X509_set_pubkey(certificate.get(), key);
    X509_NAME* name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
    return certificate;
}

}  // namespace

TestCertificateAuthority::TestCertificateAuthority() {
    Key key(EVP_EC_gen("P-256"));
    check(key != nullptr, "CA key");
    Certificate ca = new_certificate(key.get(), "siagent test CA", -86400, 10 * 86400);
    X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    check(X509_sign(ca.get(), key.get(), EVP_sha256()) > 0, "CA signature");
    ca_.certificate_pem = pem_of(ca.get());
    ca_.key_pem = key_pem(key.get());
}

TestCertificateAuthority::~TestCertificateAuthority() = default;

TestCertificate TestCertificateAuthority::issue(const CertificateRequest& request) const {
    auto ca = read_pem<X509>(ca_.certificate_pem, PEM_read_bio_X509);
    auto ca_key = read_pem<EVP_PKEY>(ca_.key_pem, PEM_read_bio_PrivateKey);
    Key key(EVP_EC_gen("P-256"));
    check(key != nullptr, "server key");
    Certificate certificate = new_certificate(key.get(), request.common_name,
                                              request.valid_from_seconds, request.valid_until_seconds);
    X509_set_issuer_name(certificate.get(), X509_get_subject_name(ca.get()));
    std::string names;
    for (const std::string& dns : request.dns_names) names += (names.empty() ? "" : ",") + ("DNS:" + dns);
    for (const std::string& ip : request.ip_addresses) names += (names.empty() ? "" : ",") + ("IP:" + ip);
    if (!names.empty()) add_extension(certificate.get(), ca.get(), NID_subject_alt_name, names);
    add_extension(certificate.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(certificate.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_extension(certificate.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    check(X509_sign(certificate.get(), ca_key.get(), EVP_sha256()) > 0, "server signature");
    return {pem_of(certificate.get()), key_pem(key.get())};
}

}  // namespace siagent::testing
