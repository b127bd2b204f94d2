// Numbers and names as the anomaly messages print them.
#pragma once

#include <string>

namespace siagent::dashboard::anomaly {

// Four significant digits: "0.1235", "1.235e+06".
std::string short_number(double value);
// "512 B", "3.2 KiB", "4 MiB", "1.5 GiB" (binary prefixes, 2 significant digits past 10).
std::string bytes_text(double bytes);
// "45 s", "30 min", "6 h", "2.5 h" (below two minutes in seconds, below two hours in minutes).
std::string duration_text(double seconds);
// A share in [0, 1] as a percentage with one decimal: "20.3 %".
std::string percent_text(double share);
// "function (file:line)", or the function alone when there is no file.
std::string site_text(const std::string& function, const std::string& file, int line);

}  // namespace siagent::dashboard::anomaly
