// The OpenSSL functions the agent library calls: Boost.Asio's and Beast's TLS stream, the
// HTTP client (transport/http_client.cpp), the metric ids' SHA-1 (transport/metric.cpp), the
// agent key's Basic authorization (transport/dashboard_connection.cpp) and OpenSSL's
// initialization (transport/openssl_lifetime.cpp).
//
// OpenSSL itself is in libsiagent-tls.so, loaded for the first exchange with the dashboard
// (preload/openssl_library.h); in the agent library each name is a jump through a slot
// (preload/openssl_stubs.cpp). A call the agent starts making to a function missing here
// fails to link the agent library, naming it: add it to this list.
#pragma once

#define SIAGENT_OPENSSL_FUNCTIONS(X) \
    X(BIO_ctrl) \
    X(BIO_ctrl_pending) \
    X(BIO_free) \
    X(BIO_new_bio_pair) \
    X(BIO_read) \
    X(BIO_write) \
    X(ERR_clear_error) \
    X(ERR_get_error) \
    X(ERR_lib_error_string) \
    X(ERR_reason_error_string) \
    X(EVP_Digest) \
    X(EVP_EncodeBlock) \
    X(EVP_sha1) \
    X(OPENSSL_atexit) \
    X(OPENSSL_init_ssl) \
    X(SSL_CTX_ctrl) \
    X(SSL_CTX_free) \
    X(SSL_CTX_get_default_passwd_cb_userdata) \
    X(SSL_CTX_get_ex_data) \
    X(SSL_CTX_get_verify_callback) \
    X(SSL_CTX_load_verify_locations) \
    X(SSL_CTX_new) \
    X(SSL_CTX_set_default_passwd_cb_userdata) \
    X(SSL_CTX_set_default_verify_paths) \
    X(SSL_CTX_set_ex_data) \
    X(SSL_CTX_set_options) \
    X(SSL_CTX_set_verify) \
    X(SSL_accept) \
    X(SSL_connect) \
    X(SSL_ctrl) \
    X(SSL_free) \
    X(SSL_get0_param) \
    X(SSL_get_error) \
    X(SSL_get_ex_data) \
    X(SSL_get_shutdown) \
    X(SSL_get_verify_result) \
    X(SSL_new) \
    X(SSL_read) \
    X(SSL_set1_host) \
    X(SSL_set_bio) \
    X(SSL_set_ex_data) \
    X(SSL_write) \
    X(TLS_client_method) \
    X(TLS_method) \
    X(TLS_server_method) \
    X(X509_VERIFY_PARAM_set1_ip_asc) \
    X(X509_verify_cert_error_string)
