#include "dashboard/server/anomaly/anomaly_text.h"

#include <cmath>
#include <cstdio>

namespace siagent::dashboard::anomaly {

std::string short_number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", value);
    return text;
}

std::string bytes_text(double bytes) {
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (std::fabs(bytes) >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, std::fabs(bytes) >= 10 || unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
    return text;
}

std::string duration_text(double seconds) {
    if (seconds < 120) return short_number(std::round(seconds)) + " s";
    if (seconds < 7200) return short_number(std::round(seconds / 60)) + " min";
    return short_number(std::round(seconds / 360) / 10) + " h";
}

std::string percent_text(double share) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %%", share * 100);
    return text;
}

std::string site_text(const std::string& function, const std::string& file, int line) {
    if (file.empty()) return function;
    return function + " (" + file + (line > 0 ? ":" + std::to_string(line) : "") + ")";
}

}  // namespace siagent::dashboard::anomaly
