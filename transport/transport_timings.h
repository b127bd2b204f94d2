// How often the transport does what. Production values are the protocol's; tests shorten
// them through SIAGENT_TEST_TRANSPORT_TIMINGS (not an SI_ variable: not for users), e.g.
// "flush=200,config_first=100,config_every=500,backoff=300,backoff_max=1200,connect=500,request=1000"
// (milliseconds).
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace siagent {

struct TransportTimings {
    std::chrono::milliseconds flush_every{5000};
    std::chrono::milliseconds config_first{2000};
    std::chrono::milliseconds config_every{120'000};
    std::chrono::milliseconds backoff_first{10'000};
    std::chrono::milliseconds backoff_limit{60'000};
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds request_timeout{20'000};  // the original agents' timeout
    size_t max_batch_bytes = 2u << 20;  // JSON per upload request, before gzip
};

// The defaults, with the overrides `text` names (unknown or malformed entries are ignored).
TransportTimings parse_transport_timings(std::string_view text);

// The defaults, with SIAGENT_TEST_TRANSPORT_TIMINGS applied when it is set.
TransportTimings transport_timings_from_environment();

}  // namespace siagent
