#include "transport/agent_identity.h"

#include <gnu/libc-version.h>
#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <random>

namespace siagent {
namespace {

std::string executable_path() {
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path);
    if (length <= 0 || static_cast<size_t>(length) >= sizeof path) return {};
    return std::string(path, static_cast<size_t>(length));
}

void fill_random(unsigned char* bytes, size_t size) {
    size_t filled = 0;
    while (filled < size) {
        ssize_t got = getrandom(bytes + filled, size - filled, GRND_NONBLOCK);
        if (got <= 0) break;
        filled += static_cast<size_t>(got);
    }
    if (filled == size) return;
    // No entropy yet (very early boot): unique enough for a run id, not for secrets.
    std::mt19937_64 fallback(static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count() ^ getpid()));
    for (size_t i = filled; i < size; ++i) bytes[i] = static_cast<unsigned char>(fallback());
}

}  // namespace

std::string random_uuid() {
    unsigned char bytes[16];
    fill_random(bytes, sizeof bytes);
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    char text[37];
    snprintf(text, sizeof text,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
             bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
             bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return text;
}

AgentIdentity make_identity(const Config& config, int64_t run_ts) {
    AgentIdentity identity;
    identity.app_name = config.app_name;
    identity.app_version = config.app_version;
    identity.app_environment = config.app_environment;
    identity.host_name = config.host_name;
    identity.runtime_version = std::string("glibc ") + gnu_get_libc_version();
    identity.runtime_path = executable_path();
    identity.agent_version = SIAGENT_VERSION;
    identity.process_id = getpid();
    identity.run_id = random_uuid();
    identity.run_ts = run_ts;
    return identity;
}

}  // namespace siagent
