#include "test/bench/server_output.h"

#include <fstream>
#include <sstream>

namespace siagent::bench {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string word_after(const std::string& text, const std::string& label) {
    const size_t at = text.find(label);
    if (at == std::string::npos) return {};
    std::istringstream rest(text.substr(at + label.size()));
    std::string word;
    rest >> word;
    return word;
}

}  // namespace siagent::bench
