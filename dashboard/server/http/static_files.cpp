#include "dashboard/server/http/static_files.h"

#include <fstream>
#include <sstream>

namespace siagent::dashboard {
namespace {

constexpr uintmax_t kMaxFileBytes = 64 * 1024 * 1024;

// The request path as a relative path below the root, or nullopt when it tries to leave it.
std::optional<std::filesystem::path> relative_path(std::string_view target) {
    auto decoded = percent_decode(target_path(target), false);
    if (!decoded || decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos) {
        return std::nullopt;
    }
    std::filesystem::path relative;
    std::string_view rest = *decoded;
    while (!rest.empty()) {
        const size_t slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        if (part == "..") return std::nullopt;
        if (!part.empty() && part != ".") relative /= std::string(part);
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    return relative;
}

// `candidate` if it is a regular file inside `root` once links are resolved.
bool inside_root(const std::filesystem::path& root, const std::filesystem::path& candidate) {
    std::error_code error;
    const auto real_root = std::filesystem::canonical(root, error);
    if (error) return false;
    const auto real = std::filesystem::canonical(candidate, error);
    if (error || !std::filesystem::is_regular_file(real, error)) return false;
    auto [root_end, unused] = std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end());
    return root_end == real_root.end();
}

std::optional<std::string> read_file(const std::filesystem::path& file) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (error || size > kMaxFileBytes) return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) return std::nullopt;
    return bytes.str();
}

}  // namespace

const char* content_type_of(const std::filesystem::path& file) {
    const std::string extension = file.extension().string();
    if (extension == ".html") return "text/html; charset=utf-8";
    if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
    if (extension == ".css") return "text/css; charset=utf-8";
    if (extension == ".json" || extension == ".map") return "application/json";
    if (extension == ".svg") return "image/svg+xml";
    if (extension == ".png") return "image/png";
    if (extension == ".ico") return "image/x-icon";
    if (extension == ".woff2") return "font/woff2";
    if (extension == ".txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

Response serve_static(const std::filesystem::path& root, const Request& request) {
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
        return error_response(405, "static files take GET");
    }
    if (root.empty()) return error_response(404, "the web UI is not installed (start with --web DIR)");
    auto relative = relative_path(request.target());
    if (!relative) return error_response(400, "bad path");
    std::filesystem::path file = root / *relative;
    if (relative->empty() || !inside_root(root, file)) file = root / "index.html";
    if (!inside_root(root, file)) return error_response(404, "not found");
    auto bytes = read_file(file);
    if (!bytes) return error_response(404, "not found");
    Response response{http::status::ok, 11};
    response.set(http::field::content_type, content_type_of(file));
    response.set("X-Content-Type-Options", "nosniff");
    response.set(http::field::cache_control, file.filename() == "index.html" ? "no-cache" : "public, max-age=300");
    response.body() = std::move(*bytes);
    return response;
}

}  // namespace siagent::dashboard
