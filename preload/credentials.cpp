// Interposed set*id and setgroups. glibc applies a credential change to every thread of the
// process (it signals each one to make the same system call) and aborts the process when
// one thread's call fails. The agent thread does not share the application's per-thread
// state (PR_SET_KEEPCAPS, capabilities raised with capset): after `setpriv --reuid` drops
// the uid, the agent thread has lost the capability the following setresgid needs, and the
// program died with SIGABRT. So no agent thread exists while the credentials change: it is
// paused around the call and started again (with the new credentials) after it.
#include <grp.h>
#include <unistd.h>

#include <cerrno>

#include "preload/export.h"
#include "preload/lifecycle.h"
#include "preload/real_function.h"

#pragma GCC diagnostic ignored "-Wignored-attributes"


namespace {

#define SIAGENT_CREDENTIAL_FUNCTIONS(X) \
    X(setuid) X(setgid) X(seteuid) X(setegid) X(setreuid) X(setregid) X(setresuid) \
    X(setresgid) X(setgroups)

SIAGENT_CREDENTIAL_FUNCTIONS(SIAGENT_DEFINE_REAL)

__attribute__((constructor(101))) void resolve_credential_functions() {
#define SIAGENT_RESOLVE_REAL(name) real_##name.resolve();
    SIAGENT_CREDENTIAL_FUNCTIONS(SIAGENT_RESOLVE_REAL)
#undef SIAGENT_RESOLVE_REAL
}

template <typename Real, typename... Args>
int changing_credentials(Real real, Args... args) {
    if (real == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    return siagent::with_agent_thread_paused([&] { return real(args...); });
}

}  // namespace

SIAGENT_EXPORT int setuid(uid_t user) { return changing_credentials(real_setuid.get(), user); }
SIAGENT_EXPORT int setgid(gid_t group) { return changing_credentials(real_setgid.get(), group); }
SIAGENT_EXPORT int seteuid(uid_t user) { return changing_credentials(real_seteuid.get(), user); }
SIAGENT_EXPORT int setegid(gid_t group) { return changing_credentials(real_setegid.get(), group); }
SIAGENT_EXPORT int setreuid(uid_t real_user, uid_t effective) {
    return changing_credentials(real_setreuid.get(), real_user, effective);
}
SIAGENT_EXPORT int setregid(gid_t real_group, gid_t effective) {
    return changing_credentials(real_setregid.get(), real_group, effective);
}
SIAGENT_EXPORT int setresuid(uid_t real_user, uid_t effective, uid_t saved) {
    return changing_credentials(real_setresuid.get(), real_user, effective, saved);
}
SIAGENT_EXPORT int setresgid(gid_t real_group, gid_t effective, gid_t saved) {
    return changing_credentials(real_setresgid.get(), real_group, effective, saved);
}
SIAGENT_EXPORT int setgroups(size_t count, const gid_t* groups) {
    return changing_credentials(real_setgroups.get(), count, groups);
}
