// HTTPS for the API tests: a throwaway self-signed certificate, and one request over TLS
// (the certificate is not verified: the test made it).
#pragma once

#include <string>

#include "test/dashboard/api/http_client.h"

namespace siagent::testing {

// Writes a P-256 key and a self-signed certificate for "localhost", valid for a day (PEM).
void write_self_signed(const std::string& cert_path, const std::string& key_path);

HttpReply https_call(int port, const HttpCall& call);

}  // namespace siagent::testing
