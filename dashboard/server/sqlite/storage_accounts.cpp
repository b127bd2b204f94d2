// Accounts, users, sessions and agent keys.
#include "dashboard/server/sqlite/rows.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {
namespace {

User user_from(const Statement& row) {
    return User{row.integer(0), row.integer(1), row.text(2), row.text(3), row.text(4)};
}

}  // namespace

bool SqliteStorage::has_accounts() {
    auto db = reader();
    return db->prepare("SELECT 1 FROM accounts LIMIT 1").step();
}

Result<int64_t> SqliteStorage::create_account(const std::string& name, int64_t now) {
    auto db = writer();
    auto existing = db->prepare("SELECT id FROM accounts WHERE name = ?");
    if (existing.bind(name).step()) return Failure{409, "an account of that name exists"};
    db->prepare("INSERT INTO accounts(name, created) VALUES (?, ?)").bind(name, now).run();
    return db->last_insert_id();
}

std::optional<int64_t> SqliteStorage::account_id(const std::string& name) {
    auto db = reader();
    auto row = db->prepare("SELECT id FROM accounts WHERE name = ?");
    if (!row.bind(name).step()) return std::nullopt;
    return row.integer(0);
}

std::optional<double> SqliteStorage::anomaly_threshold(int64_t account_id) {
    auto db = reader();
    auto row = db->prepare("SELECT anomaly_threshold FROM accounts WHERE id = ?");
    if (!row.bind(account_id).step()) return std::nullopt;
    return row.optional_real(0);
}

bool SqliteStorage::set_anomaly_threshold(int64_t account_id, std::optional<double> threshold) {
    auto db = writer();
    db->prepare("UPDATE accounts SET anomaly_threshold = ? WHERE id = ?").bind(threshold, account_id).run();
    return db->changes() > 0;
}

Result<int64_t> SqliteStorage::add_user(int64_t account_id, const std::string& email, const std::string& role,
                                        const std::string& password_hash, int64_t now) {
    auto db = writer();
    auto existing = db->prepare("SELECT account_id = ? FROM users WHERE email = ?");
    existing.bind(account_id, email);
    size_t accounts = 0;
    while (existing.step()) {
        if (existing.integer(0) != 0) return Failure{409, "a user with that email exists in this account"};
        ++accounts;
    }
    // Past the bound a login would hash too many times; a rare case, told as such.
    if (accounts >= kMaxAccountsPerEmail) return Failure{409, "that email cannot join more accounts"};
    db->prepare("INSERT INTO users(account_id, email, role, password_hash, created) VALUES (?, ?, ?, ?, ?)")
        .bind(account_id, email, role, password_hash, now)
        .run();
    return db->last_insert_id();
}

std::vector<User> SqliteStorage::users_by_email(const std::string& email) {
    auto db = reader();
    auto row = db->prepare("SELECT id, account_id, email, role, password_hash FROM users WHERE email = ? ORDER BY id LIMIT 16");
    return collect(row.bind(email), user_from);
}

void SqliteStorage::set_password(int64_t user_id, const std::string& password_hash, const std::string& kept_session_hash) {
    auto db = writer();
    Transaction transaction(*db);
    db->prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(password_hash, user_id).run();
    db->prepare("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?").bind(user_id, kept_session_hash).run();
    transaction.commit();
}

std::vector<User> SqliteStorage::users(int64_t account_id) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT id, account_id, email, role, '' FROM users WHERE account_id = ? ORDER BY email");
    return collect(row.bind(account_id), user_from);
}

bool SqliteStorage::delete_user(int64_t account_id, int64_t user_id) {
    auto db = writer();
    db->prepare("DELETE FROM users WHERE id = ? AND account_id = ?").bind(user_id, account_id).run();
    return db->changes() > 0;
}

bool SqliteStorage::set_role(int64_t account_id, int64_t user_id, const std::string& role) {
    auto db = writer();
    db->prepare("UPDATE users SET role = ? WHERE id = ? AND account_id = ?").bind(role, user_id, account_id).run();
    return db->changes() > 0;
}

void SqliteStorage::add_session(const std::string& token_hash, int64_t user_id, const std::string& csrf_token,
                                int64_t expires) {
    auto db = writer();
    db->prepare("INSERT INTO sessions(token_hash, user_id, csrf_token, expires) VALUES (?, ?, ?, ?)")
        .bind(token_hash, user_id, csrf_token, expires)
        .run();
}

std::optional<Session> SqliteStorage::session(const std::string& token_hash, int64_t now) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT u.id, u.account_id, u.email, u.role, '', a.name, s.csrf_token FROM sessions s "
        "JOIN users u ON u.id = s.user_id JOIN accounts a ON a.id = u.account_id "
        "WHERE s.token_hash = ? AND s.expires > ?");
    if (!row.bind(token_hash, now).step()) return std::nullopt;
    return Session{user_from(row), row.text(5), row.text(6)};
}

void SqliteStorage::delete_session(const std::string& token_hash) {
    auto db = writer();
    db->prepare("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).run();
}

void SqliteStorage::add_login_failure(const std::string& key, int64_t at, int64_t forget_up_to) {
    auto db = writer();
    Transaction transaction(*db);
    db->prepare("DELETE FROM login_failures WHERE at <= ?").bind(forget_up_to).run();
    db->prepare("INSERT INTO login_failures(key, at) VALUES (?, ?)").bind(key, at).run();
    transaction.commit();
}

int64_t SqliteStorage::login_failures_after(const std::string& key, int64_t after) {
    auto db = reader();
    auto row = db->prepare("SELECT COUNT(*) FROM login_failures WHERE key = ? AND at > ?");
    return row.bind(key, after).step() ? row.integer(0) : 0;
}

int64_t SqliteStorage::add_agent_key(int64_t account_id, const std::string& name, const std::string& key_hash,
                                     const std::string& prefix, int64_t now) {
    auto db = writer();
    db->prepare("INSERT INTO agent_keys(account_id, name, key_hash, prefix, created) VALUES (?, ?, ?, ?, ?)")
        .bind(account_id, name, key_hash, prefix, now)
        .run();
    return db->last_insert_id();
}

std::optional<AgentKeyOwner> SqliteStorage::agent_key_owner(const std::string& key_hash, int64_t now) {
    AgentKeyOwner owner;
    {
        auto db = reader();
        auto row = db->prepare("SELECT id, account_id, last_used, name FROM agent_keys WHERE key_hash = ?");
        if (!row.bind(key_hash).step()) return std::nullopt;
        owner = AgentKeyOwner{row.integer(1), row.integer(0), row.text(3)};
        // last_used is kept to the minute: most agent requests then cost no write.
        if (row.optional_integer(2).value_or(0) > now - 60) return owner;
    }
    auto db = writer();
    db->prepare("UPDATE agent_keys SET last_used = ? WHERE id = ?").bind(now, owner.key_id).run();
    return owner;
}

std::vector<AgentKey> SqliteStorage::agent_keys(int64_t account_id) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT id, name, prefix, created, last_used FROM agent_keys WHERE account_id = ? ORDER BY id");
    return collect(row.bind(account_id), [](const Statement& key) {
        return AgentKey{key.integer(0), key.text(1), key.text(2), key.integer(3), key.optional_integer(4)};
    });
}

bool SqliteStorage::delete_agent_key(int64_t account_id, int64_t key_id) {
    auto db = writer();
    db->prepare("DELETE FROM agent_keys WHERE id = ? AND account_id = ?").bind(key_id, account_id).run();
    return db->changes() > 0;
}

}  // namespace siagent::dashboard::sqlite
