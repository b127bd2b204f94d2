// The request and response types every handler speaks, and the small helpers they share:
// JSON and error bodies, query strings, cookies.
#pragma once

#include <boost/beast/http.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace siagent::dashboard {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response json_response(http::status status, std::string body);
// `{"error": reason}`; the reason must not carry secrets.
Response error_response(unsigned status, std::string_view reason);
Response empty_response(http::status status);

// Gzips a response body when the request accepts gzip and the body is worth it, at a fast
// level (kGzipResponseLevel, gzip_fast.h): made per request, it must not cost more
// than the query behind it.
void compress_if_accepted(const Request& request, Response& response);

// The target split at '?', and its query parameters percent-decoded. The path's leading run
// of slashes reads as one: an agent given the address with a trailing slash
// ("http://host:port/") posts to "//agent/v1/upload".
std::string_view target_path(std::string_view target);
std::map<std::string, std::string> query_parameters(std::string_view target);
// Percent-decoding ('+' as space only when `plus_is_space`); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// The value of cookie `name` in the request's Cookie headers.
std::optional<std::string> cookie(const Request& request, std::string_view name);

}  // namespace siagent::dashboard
