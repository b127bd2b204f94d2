// Accounts, users, sessions and agent keys. Emails compare case-insensitively
// (lower(email), as the unique index users_per_account).
#include "dashboard/server/postgres/postgres_storage.h"

namespace siagent::dashboard::postgres {
namespace {

// id, account_id, email, role, password_hash
User user_from(const Rows& rows, int i) {
    return User{rows.integer(i, 0), rows.integer(i, 1), rows.text(i, 2), rows.text(i, 3), rows.text(i, 4)};
}

std::vector<User> users_from(const Rows& rows) {
    std::vector<User> users;
    for (int i = 0; i < rows.size(); ++i) users.push_back(user_from(rows, i));
    return users;
}

constexpr const char* kUniqueViolation = "23505";

}  // namespace

bool PostgresStorage::has_accounts() {
    auto db = connection();
    return !db->query("SELECT 1 FROM accounts LIMIT 1").empty();
}

Result<int64_t> PostgresStorage::create_account(const std::string& name, int64_t now) {
    auto db = connection();
    auto rows = db->query("INSERT INTO accounts(name, created) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id",
                          name, now);
    if (rows.empty()) return Failure{409, "an account of that name exists"};
    return rows.integer(0, 0);
}

std::optional<int64_t> PostgresStorage::account_id(const std::string& name) {
    auto db = connection();
    auto rows = db->query("SELECT id FROM accounts WHERE name = $1", name);
    if (rows.empty()) return std::nullopt;
    return rows.integer(0, 0);
}

std::optional<double> PostgresStorage::anomaly_threshold(int64_t account_id) {
    auto db = connection();
    auto rows = db->query("SELECT anomaly_threshold FROM accounts WHERE id = $1", account_id);
    if (rows.empty()) return std::nullopt;
    return rows.optional_real(0, 0);
}

bool PostgresStorage::set_anomaly_threshold(int64_t account_id, std::optional<double> threshold) {
    auto db = connection();
    return db->query("UPDATE accounts SET anomaly_threshold = $1 WHERE id = $2", threshold, account_id).changes() > 0;
}

Result<int64_t> PostgresStorage::add_user(int64_t account_id, const std::string& email, const std::string& role,
                                          const std::string& password_hash, int64_t now) {
    auto db = connection();
    Transaction transaction(*db);
    // Serialises adders of one email, so the bound per email holds across instances.
    db->query("SELECT pg_advisory_xact_lock(hashtextextended(lower($1), 0))", email);
    auto existing = db->query("SELECT account_id = $1 FROM users WHERE lower(email) = lower($2)", account_id, email);
    for (int i = 0; i < existing.size(); ++i) {
        if (existing.text(i, 0) == "t") return Failure{409, "a user with that email exists in this account"};
    }
    // Past the bound a login would hash too many times; a rare case, told as such.
    if (static_cast<size_t>(existing.size()) >= kMaxAccountsPerEmail) {
        return Failure{409, "that email cannot join more accounts"};
    }
    try {
        auto rows = db->query(
            "INSERT INTO users(account_id, email, role, password_hash, created) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            account_id, email, role, password_hash, now);
        transaction.commit();
        return rows.integer(0, 0);
    } catch (const PgError& error) {
        if (error.sqlstate() == kUniqueViolation) return Failure{409, "a user with that email exists in this account"};
        throw;
    }
}

std::vector<User> PostgresStorage::users_by_email(const std::string& email) {
    auto db = connection();
    return users_from(db->query(
        "SELECT id, account_id, email, role, password_hash FROM users WHERE lower(email) = lower($1) ORDER BY id LIMIT 16",
        email));
}

void PostgresStorage::set_password(int64_t user_id, const std::string& password_hash,
                                   const std::string& kept_session_hash) {
    auto db = connection();
    Transaction transaction(*db);
    db->query("UPDATE users SET password_hash = $1 WHERE id = $2", password_hash, user_id);
    db->query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", user_id, kept_session_hash);
    transaction.commit();
}

std::vector<User> PostgresStorage::users(int64_t account_id) {
    auto db = connection();
    return users_from(
        db->query("SELECT id, account_id, email, role, '' FROM users WHERE account_id = $1 ORDER BY lower(email), id",
                  account_id));
}

bool PostgresStorage::delete_user(int64_t account_id, int64_t user_id) {
    auto db = connection();
    return db->query("DELETE FROM users WHERE id = $1 AND account_id = $2", user_id, account_id).changes() > 0;
}

bool PostgresStorage::set_role(int64_t account_id, int64_t user_id, const std::string& role) {
    auto db = connection();
    return db->query("UPDATE users SET role = $1 WHERE id = $2 AND account_id = $3", role, user_id, account_id)
               .changes() > 0;
}

void PostgresStorage::add_session(const std::string& token_hash, int64_t user_id, const std::string& csrf_token,
                                  int64_t expires) {
    auto db = connection();
    db->query("INSERT INTO sessions(token_hash, user_id, csrf_token, expires) VALUES ($1, $2, $3, $4)", token_hash,
              user_id, csrf_token, expires);
}

std::optional<Session> PostgresStorage::session(const std::string& token_hash, int64_t now) {
    auto db = connection();
    auto rows = db->query(
        "SELECT u.id, u.account_id, u.email, u.role, '', a.name, s.csrf_token FROM sessions s "
        "JOIN users u ON u.id = s.user_id JOIN accounts a ON a.id = u.account_id "
        "WHERE s.token_hash = $1 AND s.expires > $2",
        token_hash, now);
    if (rows.empty()) return std::nullopt;
    return Session{user_from(rows, 0), rows.text(0, 5), rows.text(0, 6)};
}

void PostgresStorage::delete_session(const std::string& token_hash) {
    auto db = connection();
    db->query("DELETE FROM sessions WHERE token_hash = $1", token_hash);
}

void PostgresStorage::add_login_failure(const std::string& key, int64_t at, int64_t forget_up_to) {
    auto db = connection();
    db->query("WITH forgotten AS (DELETE FROM login_failures WHERE at <= $3) "
              "INSERT INTO login_failures(key, at) VALUES ($1, $2)",
              key, at, forget_up_to);
}

int64_t PostgresStorage::login_failures_after(const std::string& key, int64_t after) {
    auto db = connection();
    return db->query("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at > $2", key, after).integer(0, 0);
}

int64_t PostgresStorage::add_agent_key(int64_t account_id, const std::string& name, const std::string& key_hash,
                                       const std::string& prefix, int64_t now) {
    auto db = connection();
    return db
        ->query("INSERT INTO agent_keys(account_id, name, key_hash, prefix, created) VALUES ($1, $2, $3, $4, $5)"
                " RETURNING id",
                account_id, name, key_hash, prefix, now)
        .integer(0, 0);
}

std::optional<AgentKeyOwner> PostgresStorage::agent_key_owner(const std::string& key_hash, int64_t now) {
    auto db = connection();
    auto rows = db->query("SELECT id, account_id, last_used, name FROM agent_keys WHERE key_hash = $1", key_hash);
    if (rows.empty()) return std::nullopt;
    AgentKeyOwner owner{rows.integer(0, 1), rows.integer(0, 0), rows.text(0, 3)};
    // last_used is kept to the minute: most agent requests then cost no write.
    if (rows.optional_integer(0, 2).value_or(0) > now - 60) return owner;
    db->query("UPDATE agent_keys SET last_used = $1 WHERE id = $2", now, owner.key_id);
    return owner;
}

std::vector<AgentKey> PostgresStorage::agent_keys(int64_t account_id) {
    auto db = connection();
    auto rows = db->query("SELECT id, name, prefix, created, last_used FROM agent_keys WHERE account_id = $1 ORDER BY id",
                          account_id);
    std::vector<AgentKey> keys;
    for (int i = 0; i < rows.size(); ++i) {
        keys.push_back(AgentKey{rows.integer(i, 0), rows.text(i, 1), rows.text(i, 2), rows.integer(i, 3),
                                rows.optional_integer(i, 4)});
    }
    return keys;
}

bool PostgresStorage::delete_agent_key(int64_t account_id, int64_t key_id) {
    auto db = connection();
    return db->query("DELETE FROM agent_keys WHERE id = $1 AND account_id = $2", key_id, account_id).changes() > 0;
}

}  // namespace siagent::dashboard::postgres
