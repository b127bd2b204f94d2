#include "dashboard/server/http/http_message.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dashboard/server/gzip_fast.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kCompressAbove = 1024;

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

bool accepts_gzip(const Request& request) {
    auto found = request.find(http::field::accept_encoding);
    if (found == request.end()) return false;
    const std::string_view value = found->value();
    for (size_t start = 0; start <= value.size();) {
        const size_t end = std::min(value.find(',', start), value.size());
        std::string_view token = trim(value.substr(start, end - start));
        token = trim(token.substr(0, token.find(';')));
        if (token == "gzip" && value.substr(start, end - start).find("q=0") == std::string_view::npos) return true;
        start = end + 1;
    }
    return false;
}

}  // namespace

Response json_response(http::status status, std::string body) {
    Response response{status, 11};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::cache_control, "no-store");
    response.body() = std::move(body);
    return response;
}

Response error_response(unsigned status, std::string_view reason) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("error");
    writer.String(reason.data(), static_cast<rapidjson::SizeType>(reason.size()));
    writer.EndObject();
    return json_response(static_cast<http::status>(status), buffer.GetString());
}

Response empty_response(http::status status) {
    Response response{status, 11};
    response.set(http::field::cache_control, "no-store");
    return response;
}

void compress_if_accepted(const Request& request, Response& response) {
    if (response.body().size() < kCompressAbove || response.count(http::field::content_encoding)) return;
    // Downloads (a gzipped pprof file) are compressed already.
    if (response[http::field::content_type] == "application/octet-stream") return;
    response.set(http::field::vary, "Accept-Encoding");
    if (!accepts_gzip(request)) return;
    std::string compressed = gzip_fast(response.body(), kGzipResponseLevel);
    if (compressed.empty()) return;  // out of memory: the body goes as it is
    response.body() = std::move(compressed);
    response.set(http::field::content_encoding, "gzip");
}

std::string_view target_path(std::string_view target) {
    std::string_view path = target.substr(0, target.find('?'));
    while (path.size() > 1 && path[0] == '/' && path[1] == '/') path.remove_prefix(1);
    return path;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else {
            out.push_back(plus_is_space && text[i] == '+' ? ' ' : text[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> query_parameters(std::string_view target) {
    std::map<std::string, std::string> parameters;
    const size_t question = target.find('?');
    if (question == std::string_view::npos) return parameters;
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const size_t equals = pair.find('=');
        auto key = percent_decode(pair.substr(0, equals), true);
        auto value = percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1), true);
        if (key && value && !key->empty()) parameters[*key] = *value;
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return parameters;
}

std::optional<std::string> cookie(const Request& request, std::string_view name) {
    auto [first, last] = request.equal_range(http::field::cookie);
    for (auto field = first; field != last; ++field) {
        std::string_view value = field->value();
        while (!value.empty()) {
            const size_t semicolon = value.find(';');
            const std::string_view pair = trim(value.substr(0, semicolon));
            const size_t equals = pair.find('=');
            if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
                return std::string(pair.substr(equals + 1));
            }
            if (semicolon == std::string_view::npos) break;
            value.remove_prefix(semicolon + 1);
        }
    }
    return std::nullopt;
}

}  // namespace siagent::dashboard
