#include "test/dashboard/api/tls_support.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace siagent::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

void write_self_signed(const std::string& cert_path, const std::string& key_path) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!key || !cert) throw std::runtime_error("cannot make a key or certificate");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("cannot sign");
    std::unique_ptr<FILE, decltype(&fclose)> cert_file(fopen(cert_path.c_str(), "w"), fclose);
    std::unique_ptr<FILE, decltype(&fclose)> key_file(fopen(key_path.c_str(), "w"), fclose);
    if (!cert_file || !key_file || PEM_write_X509(cert_file.get(), cert.get()) != 1 ||
        PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        throw std::runtime_error("cannot write the certificate or key");
    }
}

HttpReply https_call(int port, const HttpCall& call) {
    HttpReply reply;
    boost::asio::io_context io;
    ssl::context tls(ssl::context::tls_client);
    tls.set_verify_mode(ssl::verify_none);
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    beast::error_code error;
    beast::get_lowest_layer(stream).socket().connect(
        tcp::endpoint(boost::asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)), error);
    if (error) return reply;
    stream.handshake(ssl::stream_base::client, error);
    if (error) return reply;
    http::request<http::string_body> request{http::string_to_verb(call.method), call.target, 11};
    request.set(http::field::host, "localhost");
    for (const auto& [name, value] : call.headers) request.set(name, value);
    request.body() = call.body;
    request.prepare_payload();
    http::write(stream, request, error);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response, error);
    if (error) return reply;
    reply.status = static_cast<int>(response.result_int());
    for (const auto& field : response) reply.headers[std::string(field.name_string())] = std::string(field.value());
    reply.body = response.body();
    return reply;
}

}  // namespace siagent::testing
