// syscall(2)'s variadic arguments: six register-sized values whatever the call, as the
// kernel takes them. Both stages read them so (preload/loader/forwarders.cpp,
// preload/descriptors.cpp). signal-safe, malloc-safe.
#pragma once

#include <cstdarg>

namespace siagent {

struct SyscallArguments {
    long a, b, c, d, e, f;
};

// `rest` is started after the system call number.
inline SyscallArguments read_syscall_arguments(va_list rest) {
    SyscallArguments read;
    read.a = va_arg(rest, long);
    read.b = va_arg(rest, long);
    read.c = va_arg(rest, long);
    read.d = va_arg(rest, long);
    read.e = va_arg(rest, long);
    read.f = va_arg(rest, long);
    return read;
}

}  // namespace siagent
