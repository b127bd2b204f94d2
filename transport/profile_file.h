// The local output contract (docs/protocol.md, "Local files"): DIR/<kind>-<pid>-<unix seconds>.pb.gz,
// gzipped pprof that Go's `pprof` reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/output_directory.h"
#include "core/profile.h"

namespace siagent {

// Writes `profile` atomically (a temporary file in the directory, then a rename) so that a
// reader never sees half a file. When the name for `unix_seconds` is taken (two reports in
// one second), the next free second is used. The directory (and its parents) is made when
// missing. Returns the path written, or nullopt with `error` set.
std::optional<std::string> write_profile_file(OutputDirectory& directory, const std::string& kind,
                                              int64_t pid, int64_t unix_seconds,
                                              const Profile& profile, std::string& error);
// The same into the directory at `path`, opened for this one file (tools, tests).
std::optional<std::string> write_profile_file(const std::string& path, const std::string& kind,
                                              int64_t pid, int64_t unix_seconds,
                                              const Profile& profile, std::string& error);

// The same for any report data: writes `data` atomically to
// DIR/<kind>-<pid>-<unix seconds><extension> (e.g. ".json"), the next free second when taken.
std::optional<std::string> write_report_file(OutputDirectory& directory, const std::string& kind,
                                             const std::string& extension, int64_t pid,
                                             int64_t unix_seconds, std::string_view data,
                                             std::string& error);

// Reads and decodes one file written by write_profile_file (or any gzipped or plain pprof).
// Input is bounded (256 MiB decompressed); malformed files give nullopt and `error`.
std::optional<Profile> read_profile_file(const std::string& path, std::string& error);

}  // namespace siagent
