// libsiagent-tls.so's one export: the OpenSSL functions the agent library's stubs jump to
// (preload/openssl_stubs.cpp), in the order of SIAGENT_OPENSSL_FUNCTIONS.
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstddef>

#include "preload/export.h"
#include "preload/openssl_functions.h"

SIAGENT_EXPORT const void* const* siagent_openssl_functions(size_t* count) {
    static const void* const functions[] = {
#define SIAGENT_OPENSSL_FUNCTION(name) reinterpret_cast<const void*>(&::name),
        SIAGENT_OPENSSL_FUNCTIONS(SIAGENT_OPENSSL_FUNCTION)
#undef SIAGENT_OPENSSL_FUNCTION
    };
    *count = sizeof functions / sizeof functions[0];
    return functions;
}
