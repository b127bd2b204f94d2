// The agent library's definitions of the OpenSSL functions it calls
// (preload/openssl_functions.h): each jumps through its slot, which
// preload/openssl_library.cpp fills with the function in libsiagent-tls.so. Hidden: the
// application's own OpenSSL, if any, is neither seen nor replaced.
//
// A jump, not a call: the arguments, the return value and the stack stay the caller's, so
// one stub serves every signature. Until the library is loaded a slot holds
// siagent_openssl_unloaded, which returns 0 (null, or failure, for every function listed);
// the agent makes no OpenSSL call before openssl_ready() (transport/openssl_lifetime.h).
#include "preload/openssl_functions.h"

extern "C" {

[[gnu::visibility("hidden")]] long siagent_openssl_unloaded() { return 0; }

#define SIAGENT_OPENSSL_SLOT(name) \
    [[gnu::visibility("hidden")]] const void* siagent_openssl_slot_##name = \
        reinterpret_cast<const void*>(&siagent_openssl_unloaded);
SIAGENT_OPENSSL_FUNCTIONS(SIAGENT_OPENSSL_SLOT)
#undef SIAGENT_OPENSSL_SLOT

}  // extern "C"

#if defined(__x86_64__)
#define SIAGENT_OPENSSL_STUB(name)                                            \
    asm(".pushsection .text\n"                                                \
        ".globl " #name "\n.hidden " #name "\n.type " #name ", @function\n"   \
        ".p2align 4\n" #name ":\n"                                            \
        "\tjmp *siagent_openssl_slot_" #name "(%rip)\n"                       \
        ".size " #name ", .-" #name "\n.popsection\n");
#elif defined(__aarch64__)
#define SIAGENT_OPENSSL_STUB(name)                                            \
    asm(".pushsection .text\n"                                                \
        ".globl " #name "\n.hidden " #name "\n.type " #name ", %function\n"   \
        ".p2align 2\n" #name ":\n"                                            \
        "\tadrp x16, siagent_openssl_slot_" #name "\n"                        \
        "\tldr x16, [x16, :lo12:siagent_openssl_slot_" #name "]\n"            \
        "\tbr x16\n"                                                          \
        ".size " #name ", .-" #name "\n.popsection\n");
#else
#error "the OpenSSL stubs are written for x86_64 and aarch64"
#endif
SIAGENT_OPENSSL_FUNCTIONS(SIAGENT_OPENSSL_STUB)
#undef SIAGENT_OPENSSL_STUB
