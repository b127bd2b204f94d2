#include "transport/openssl_lifetime.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <atomic>

// Defined in the agent library only (preload/openssl_library.cpp), where OpenSSL is loaded
// on demand; null where OpenSSL is linked in.
extern "C" bool siagent_load_openssl() __attribute__((weak));

namespace siagent {
namespace {

std::atomic<bool> cleaned_up{false};

void on_openssl_cleanup() { cleaned_up.store(true); }

}  // namespace

bool openssl_ready() {
    static const bool loaded = [] {
        if (siagent_load_openssl != nullptr && !siagent_load_openssl()) return false;
        // The first initialization decides: if the application came first (OpenSSL linked
        // in and shared with it), its atexit cleanup stays, and on_openssl_cleanup tells us
        // when it ran.
        OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT, nullptr);
        OPENSSL_atexit(on_openssl_cleanup);
        return true;
    }();
    return loaded && !cleaned_up.load();
}

}  // namespace siagent
