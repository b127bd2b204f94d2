// OpenSSL for the agent: loaded when first needed, and alive until the agent's last upload.
//
// In the agent library OpenSSL is a library of its own, libsiagent-tls.so, loaded for the
// first exchange with the dashboard (preload/openssl_library.h); in the dashboard and the
// tools it is linked in as usual. Either way it must outlive the agent's last upload,
// which runs from the library destructor, after exit()'s atexit handlers: by default
// OpenSSL frees itself in an atexit handler registered on its first use (after our
// constructor ran, so it runs before our destructor), and the last flush would then use
// freed state and crash.
#pragma once

namespace siagent {

// Call before any OpenSSL call (agent thread, normal context). The first call loads
// OpenSSL where it is a library of its own and initializes it without its atexit cleanup
// (the process's exit frees the memory), unless something initialized it before; it then
// watches for an explicit OPENSSL_cleanup(). False when OpenSSL cannot be loaded, or
// once it was cleaned up: no OpenSSL call may be made then.
bool openssl_ready();

}  // namespace siagent
