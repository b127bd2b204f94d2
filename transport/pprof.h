// pprof wire format (profile.proto of github.com/google/pprof): encode and decode.
//
// The encoder writes what Go's `pprof` tool reads: string table with "" at index 0,
// one Function per (name, file), one Location per Frame with one Line per SourceLine
// (innermost first, as pprof wants), Mappings with file name and build id.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/profile.h"

namespace siagent {

// Serializes to uncompressed protobuf bytes.
std::string encode_pprof(const Profile& profile);

// Parses uncompressed protobuf bytes. On malformed input returns nullopt and sets `error`.
std::optional<Profile> decode_pprof(std::string_view bytes, std::string& error);

}  // namespace siagent
