// Every bound the server applies to what clients send. An input past a bound is refused
// with a 4xx before it can cost more memory or time than the bound allows.
#pragma once

#include <cstddef>

namespace siagent::dashboard {

struct Limits {
    size_t header_bytes = 16 * 1024;
    size_t body_bytes = 8 * 1024 * 1024;               // on the wire (gzipped or not)
    size_t decompressed_bytes = 64 * 1024 * 1024;      // after gunzip: a bomb stops here
    size_t json_depth = 512;                           // nesting of objects and arrays
    size_t json_nodes = 2'000'000;                     // values, keys included
    size_t string_bytes = 64 * 1024;                   // one JSON string or key
    size_t metrics_per_upload = 2'000;
    size_t frames_per_breakdown = 200'000;
    size_t read_timeout_seconds = 30;
    size_t ui_body_bytes = 64 * 1024;                  // /api/ requests are small
    // Bodies of all requests being read or handled at once (each counts its Content-Length,
    // or its whole bound when chunked): 503 with Retry-After past it (admission.h).
    size_t in_flight_body_bytes = 128 * 1024 * 1024;
    // Connections held at once (also at most the descriptor limit less 64), and from one
    // client address: past either, a new connection is closed at accept.
    size_t connections = 10'000;
    size_t connections_per_address = 256;
    // Names an agent sends (app, version, environment, host, runtime; a metric's type,
    // category and unit) and a metric's name: each becomes a key the server keeps (rows,
    // detector series), so each is bounded, 400 beyond.
    size_t label_bytes = 256;
    size_t metric_name_bytes = 1024;
};

}  // namespace siagent::dashboard
