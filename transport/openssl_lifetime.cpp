#include "transport/openssl_lifetime.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <atomic>

namespace siagent {
namespace {

std::atomic<bool> cleaned_up{false};

void on_openssl_cleanup() { cleaned_up.store(true); }

}  // namespace

void keep_openssl_until_exit() {
    static bool done = [] {
        // The first initialization decides: if the application came first, its atexit
        // cleanup stays, and on_openssl_cleanup tells us when it ran.
        OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT, nullptr);
        OPENSSL_atexit(on_openssl_cleanup);
        return true;
    }();
    (void)done;
}

bool openssl_usable() { return !cleaned_up.load(); }

}  // namespace siagent
