// OpenSSL must outlive the agent's last upload, which runs from the library destructor,
// after exit()'s atexit handlers. By default OpenSSL frees itself in an atexit handler
// registered on its first use (after our constructor ran, so it runs before our
// destructor): the last flush would then use freed state and crash.
#pragma once

namespace siagent {

// Initializes OpenSSL without its atexit cleanup (the process's exit frees the memory),
// unless something initialized it before, and watches for an explicit OPENSSL_cleanup()
// by the application. Call before any other OpenSSL use of the agent.
void keep_openssl_until_exit();

// False once OpenSSL was cleaned up (by its atexit handler when the application
// initialized it first, or by the application itself): no OpenSSL call may be made then.
bool openssl_usable();

}  // namespace siagent
