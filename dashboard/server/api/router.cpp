#include "dashboard/server/api/router.h"

#include <iostream>
#include <vector>

#include "dashboard/server/api/agent_api.h"
#include "dashboard/server/api/metrics_endpoint.h"
#include "dashboard/server/http/static_files.h"
#include "dashboard/server/api/ui_account.h"
#include "dashboard/server/api/ui_apps.h"
#include "dashboard/server/api/ui_profile.h"
#include "dashboard/server/api/ui_session.h"

namespace siagent::dashboard {
namespace {

// Non-empty segments of `path` after `prefix`.
std::vector<std::string_view> segments_after(std::string_view path, std::string_view prefix) {
    std::vector<std::string_view> segments;
    std::string_view rest = path.substr(prefix.size());
    while (!rest.empty()) {
        const size_t slash = rest.find('/');
        if (slash != 0) segments.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    return segments;
}

bool starts_with_segment(std::string_view path, std::string_view prefix) {
    return path.substr(0, prefix.size()) == prefix && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

Response route_api(ServerContext& context, const Request& request, std::string_view path, const std::string& address) {
    if (path == "/api/login") return handle_login(context, request, address);
    if (path == "/api/logout") return handle_logout(context, request);
    auto session = authenticate(context, request);
    if (!session) return error_response(session.failure().status, session.failure().reason);
    if (path == "/api/me") return handle_me(session.value());
    if (path == "/api/kinds" && request.method() == http::verb::get) return kind_views_response();
    if (path == "/api/me/password") return handle_change_password(context, request, session.value(), address);
    if (starts_with_segment(path, "/api/apps")) {
        return handle_apps(context, request, session.value(), segments_after(path, "/api/apps"));
    }
    if (starts_with_segment(path, "/api/account")) {
        return handle_account(context, request, session.value(), segments_after(path, "/api/account"));
    }
    return error_response(404, "no such API endpoint");
}

Response dispatch(ServerContext& context, const Request& request, const std::string& address,
                  const std::optional<AgentKeyOwner>& admitted_key) {
    const std::string_view path = target_path(request.target());
    if (path == "/agent/v1/config") return handle_agent(context, request, "config", address, admitted_key);
    if (path == "/agent/v1/upload") return handle_agent(context, request, "upload", address, admitted_key);
    if (starts_with_segment(path, "/agent")) return handle_agent(context, request, path, address, admitted_key);
    if (starts_with_segment(path, "/api")) return route_api(context, request, path, address);
    if (path == "/metrics") return handle_metrics(context, request);
    return serve_static(context.settings.web_root, request);
}

// The headers and framing every answer gets.
Response finish(const Request& request, Response response) {
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    response.set(http::field::server, "siagent-dashboard");
    // The UI needs no inline script, no other origin and no frame.
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                 "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
    response.set("X-Content-Type-Options", "nosniff");
    response.set(http::field::x_frame_options, "DENY");
    compress_if_accepted(request, response);
    if (request.method() == http::verb::head) {
        // The length of what GET would send, and no body.
        response.content_length(response.body().size());
        response.body().clear();
        return response;
    }
    response.prepare_payload();
    return response;
}

}  // namespace

Response route(ServerContext& context, const Request& request, const std::string& remote_address,
               const std::optional<AgentKeyOwner>& admitted_key) {
    Response response;
    try {
        response = dispatch(context, request, remote_address, admitted_key);
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: internal error on " << request.method_string() << " "
                  << target_path(request.target()) << ": " << error.what() << "\n";
        response = error_response(500, "internal error");
    }
    return finish(request, std::move(response));
}

RequestKind request_kind(std::string_view path) {
    if (path == "/agent/v1/upload") return RequestKind::upload;
    if (path == "/agent/v1/config") return RequestKind::config;
    if (starts_with_segment(path, "/agent")) return RequestKind::other;
    if (starts_with_segment(path, "/api")) return RequestKind::ui;
    if (path == "/metrics") return RequestKind::metrics;
    if (path.empty() || path.front() != '/') return RequestKind::other;
    return RequestKind::static_file;
}

WorkerPool* worker_pool_for(ServerContext& context, const Request& request) {
    const std::string_view path = target_path(request.target());
    const bool hashes = path == "/api/login" || path == "/api/me/password" ||
                        (path == "/api/account/users" && request.method() == http::verb::post);
    if (hashes) return context.hash_workers;
    if (starts_with_segment(path, "/api/apps")) return context.query_workers;
    return nullptr;
}

Response busy_response(const Request& request) {
    Response response = error_response(503, "busy: too many requests of this kind in flight");
    response.set(http::field::retry_after, "2");
    return finish(request, std::move(response));
}

}  // namespace siagent::dashboard
