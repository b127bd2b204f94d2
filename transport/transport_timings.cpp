#include "transport/transport_timings.h"

#include <cstdlib>
#include <string>

namespace siagent {

TransportTimings parse_transport_timings(std::string_view text) {
    TransportTimings timings;
    struct Knob {
        std::string_view name;
        std::chrono::milliseconds TransportTimings::*field;
    };
    constexpr Knob kKnobs[] = {
        {"flush", &TransportTimings::flush_every},
        {"config_first", &TransportTimings::config_first},
        {"config_every", &TransportTimings::config_every},
        {"backoff", &TransportTimings::backoff_first},
        {"backoff_max", &TransportTimings::backoff_limit},
        {"connect", &TransportTimings::connect_timeout},
        {"request", &TransportTimings::request_timeout},
    };
    while (!text.empty()) {
        size_t comma = text.find(',');
        std::string_view entry = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        size_t equals = entry.find('=');
        if (equals == std::string_view::npos) continue;
        std::string_view name = entry.substr(0, equals);
        std::string value(entry.substr(equals + 1));
        char* end = nullptr;
        long long milliseconds = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || milliseconds <= 0) continue;
        if (name == "batch_bytes") timings.max_batch_bytes = static_cast<size_t>(milliseconds);
        for (const Knob& knob : kKnobs)
            if (knob.name == name) timings.*knob.field = std::chrono::milliseconds(milliseconds);
    }
    return timings;
}

TransportTimings transport_timings_from_environment() {
    const char* text = getenv("SIAGENT_TEST_TRANSPORT_TIMINGS");
    return parse_transport_timings(text != nullptr ? text : "");
}

}  // namespace siagent
