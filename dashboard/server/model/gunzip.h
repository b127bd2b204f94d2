// Inflating what the server receives and stores (agents' uploads, stored call trees):
// libdeflate's whole-buffer decoder, about twice zlib's speed, for the usual single gzip
// member whose trailer states its size; zlib's streaming decoder (transport/gzip.h) for
// everything else: several members, a trailer that does not match, corrupt data (whose
// error message it gives).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace siagent::dashboard {

// As siagent::gzip_decompress: nullopt with `error` set for corrupt input or more than
// `max_output` bytes of output. Never allocates more than `max_output` bytes for it, nor
// more than the input could inflate to: a small body whose trailer claims the limit costs
// no large buffer.
std::optional<std::string> gunzip(std::string_view data, size_t max_output, std::string& error);

}  // namespace siagent::dashboard
