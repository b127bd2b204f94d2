#include "dashboard/server/api/ui_session.h"

#include "dashboard/server/http/bounded_json.h"
#include "dashboard/server/json_out.h"
#include "dashboard/server/secrets.h"

namespace siagent::dashboard {
namespace {

constexpr const char* kCookie = "si_session";

bool changes_state(const Request& request) {
    const auto method = request.method();
    return method != http::verb::get && method != http::verb::head && method != http::verb::options;
}

std::string session_body(const Session& session) {
    JsonOut out;
    out.object().key("user").object().field("email", session.user.email).field("role", session.user.role).end_object();
    out.key("account").object().field("id", session.user.account_id).field("name", session.account_name).end_object();
    out.field("csrf_token", session.csrf_token).end_object();
    return out.str();
}

std::string session_cookie(const ServerContext& context, const std::string& token, int64_t max_age) {
    return std::string(kCookie) + "=" + token + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" +
           std::to_string(max_age) + (context.settings.secure_cookies ? "; Secure" : "");
}

// Verifying against this when the email is unknown makes both failures take as long.
const std::string& decoy_hash() {
    static const std::string hash = hash_password(random_hex(16));
    return hash;
}

// "application/json", any case, with or without parameters ("; charset=utf-8").
bool is_json_media_type(std::string_view value) {
    const std::string_view type = value.substr(0, value.find(';'));
    std::string lower;
    for (char c : type)
        if (c != ' ' && c != '\t') lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return lower == "application/json";
}

// A login sent by another site's page: its Origin names another host than the one asked.
bool cross_site(const Request& request) {
    auto origin = request.find(http::field::origin);
    if (origin == request.end()) return false;
    std::string_view value = origin->value();
    const size_t scheme = value.find("://");
    if (scheme == std::string_view::npos) return true;  // "null" and the like
    return value.substr(scheme + 3) != request[http::field::host];
}

}  // namespace

void prepare_logins() { decoy_hash(); }

std::optional<Failure> read_ui_json(const ServerContext& context, const Request& request, rapidjson::Document& out) {
    if (request.body().size() > context.settings.limits.ui_body_bytes) return Failure{413, "request body too large"};
    // Only a JSON body: a cross-site HTML form can send text/plain, urlencoded or multipart
    // without the browser asking first, never application/json.
    if (!is_json_media_type(request[http::field::content_type])) {
        return Failure{415, "the body must be sent as application/json"};
    }
    if (auto failure = parse_bounded_json(request.body(), context.settings.limits, out)) return failure;
    if (!out.IsObject()) return Failure{400, "the body is not a JSON object"};
    return std::nullopt;
}

Result<Session> authenticate(ServerContext& context, const Request& request) {
    auto token = cookie(request, kCookie);
    if (!token || token->size() > 128) return Failure{401, "not logged in"};
    auto session = context.storage.session(sha256_hex(*token), context.now());
    if (!session) return Failure{401, "not logged in"};
    if (changes_state(request) && !equal_constant_time(request["X-CSRF-Token"], session->csrf_token)) {
        return Failure{403, "missing or wrong CSRF token"};
    }
    return std::move(*session);
}

Response handle_login(ServerContext& context, const Request& request, const std::string& address) {
    if (request.method() != http::verb::post) return error_response(405, "login takes POST");
    if (cross_site(request)) return error_response(403, "login from another site");
    rapidjson::Document body;
    if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
    auto email = body.FindMember("email");
    auto password = body.FindMember("password");
    if (email == body.MemberEnd() || !email->value.IsString() || password == body.MemberEnd() ||
        !password->value.IsString()) {
        return error_response(400, "email and password are required");
    }
    const std::string email_text = email->value.GetString();
    const int64_t now = context.now();
    if (context.login_limiter.blocked(address, email_text, now)) {
        return error_response(429, "too many failed logins; wait a minute");
    }
    // The first user of that email (oldest account first) whose password matches; an unknown
    // email costs one hash, like a wrong password.
    const auto candidates = context.storage.users_by_email(email_text);
    std::optional<User> user;
    for (const User& candidate : candidates) {
        if (verify_password(password->value.GetString(), candidate.password_hash)) {
            user = candidate;
            break;
        }
    }
    if (candidates.empty()) verify_password(password->value.GetString(), decoy_hash());
    if (!user) {
        context.login_limiter.record_failure(address, email_text, now);
        return error_response(401, "wrong email or password");
    }
    const std::string token = random_hex(32);
    const std::string csrf = random_hex(16);
    context.storage.add_session(sha256_hex(token), user->id, csrf, now + context.settings.session_seconds);
    auto session = context.storage.session(sha256_hex(token), now);
    if (!session) return error_response(500, "session not stored");
    Response response = json_response(http::status::ok, session_body(*session));
    response.set(http::field::set_cookie, session_cookie(context, token, context.settings.session_seconds));
    return response;
}

Response handle_logout(ServerContext& context, const Request& request) {
    auto session = authenticate(context, request);
    if (!session) return error_response(session.failure().status, session.failure().reason);
    context.storage.delete_session(sha256_hex(*cookie(request, kCookie)));
    Response response = empty_response(http::status::no_content);
    response.set(http::field::set_cookie, session_cookie(context, "", 0));
    return response;
}

Response handle_me(const Session& session) { return json_response(http::status::ok, session_body(session)); }

Response handle_change_password(ServerContext& context, const Request& request, const Session& session,
                                const std::string& address) {
    if (request.method() != http::verb::post) return error_response(405, "use POST to change the password");
    rapidjson::Document body;
    if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
    auto current = body.FindMember("current_password");
    auto wanted = body.FindMember("new_password");
    if (current == body.MemberEnd() || !current->value.IsString() || wanted == body.MemberEnd() || !wanted->value.IsString()) {
        return error_response(400, "current_password and new_password are required");
    }
    if (wanted->value.GetStringLength() < kMinPasswordLength) {
        return error_response(400, "the new password must have at least 10 characters");
    }
    const int64_t now = context.now();
    const std::string& email = session.user.email;
    if (context.login_limiter.blocked(address, email, now)) return error_response(429, "too many failed attempts; wait a minute");
    std::string stored_hash;
    for (const User& user : context.storage.users_by_email(email)) {
        if (user.id == session.user.id) stored_hash = user.password_hash;
    }
    if (stored_hash.empty() || !verify_password(current->value.GetString(), stored_hash)) {
        context.login_limiter.record_failure(address, email, now);
        return error_response(403, "the current password is wrong");
    }
    context.storage.set_password(session.user.id, hash_password(wanted->value.GetString()), sha256_hex(*cookie(request, kCookie)));
    return empty_response(http::status::no_content);
}

}  // namespace siagent::dashboard
