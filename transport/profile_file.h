// The local output contract (../shared/design.md): DIR/<kind>-<pid>-<unix seconds>.pb.gz,
// gzipped pprof that Go's `pprof` reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/profile.h"

namespace siagent {

// Writes `profile` atomically (temporary file in `dir`, then rename) so that a reader never
// sees half a file. When the name for `unix_seconds` is taken (two reports in one second),
// the next free second is used. Creates `dir` (and parents) when missing. Returns the path
// written, or nullopt with `error` set.
std::optional<std::string> write_profile_file(const std::string& dir, const std::string& kind,
                                              int64_t pid, int64_t unix_seconds,
                                              const Profile& profile, std::string& error);

// Reads and decodes one file written by write_profile_file (or any gzipped or plain pprof).
// Input is bounded (256 MiB decompressed); malformed files give nullopt and `error`.
std::optional<Profile> read_profile_file(const std::string& path, std::string& error);

}  // namespace siagent
