#include "dashboard/server/sqlite/connection.h"

namespace siagent::dashboard::sqlite {
namespace {

void check(sqlite3* db, int rc, const char* what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    throw SqliteError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)), rc);
}

}  // namespace

Statement::~Statement() {
    if (statement_ == nullptr) return;
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

bool Statement::step() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    check(sqlite3_db_handle(statement_), rc, "sqlite step");
    return false;
}

bool Statement::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
int64_t Statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }
double Statement::real(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return text ? std::string(text, sqlite3_column_bytes(statement_, column)) : std::string();
}

std::string_view Statement::blob(int column) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(statement_, column));
    return data ? std::string_view(data, sqlite3_column_bytes(statement_, column)) : std::string_view();
}

std::optional<int64_t> Statement::optional_integer(int column) const {
    if (is_null(column)) return std::nullopt;
    return integer(column);
}

std::optional<double> Statement::optional_real(int column) const {
    if (is_null(column)) return std::nullopt;
    return real(column);
}

void Statement::bind_one(int index, int64_t value) {
    check(sqlite3_db_handle(statement_), sqlite3_bind_int64(statement_, index, value), "sqlite bind");
}

void Statement::bind_one(int index, double value) {
    check(sqlite3_db_handle(statement_), sqlite3_bind_double(statement_, index, value), "sqlite bind");
}

void Statement::bind_one(int index, std::string_view value) {
    check(sqlite3_db_handle(statement_),
          sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT),
          "sqlite bind");
}

void Statement::bind_one(int index, Null) {
    check(sqlite3_db_handle(statement_), sqlite3_bind_null(statement_, index), "sqlite bind");
}

void Statement::bind_blob(int index, std::string_view value) {
    check(sqlite3_db_handle(statement_),
          sqlite3_bind_blob(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT),
          "sqlite bind");
}

Connection::Connection(const std::string& path, bool create) {
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw SqliteError("cannot open " + path + ": " + message, rc);
    }
    sqlite3_busy_timeout(db_, 10'000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    // Reads of stored trees go through the page cache's mapping instead of a copy per page.
    exec("PRAGMA mmap_size=1073741824");
    exec("PRAGMA cache_size=-32768");
}

Connection::~Connection() {
    for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
    sqlite3_close(db_);
}

Statement Connection::prepare(const char* sql) {
    auto found = cache_.find(sql);
    if (found != cache_.end()) return Statement(found->second);
    sqlite3_stmt* statement = nullptr;
    check(db_, sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr), "sqlite prepare");
    cache_.emplace(sql, statement);
    return Statement(statement);
}

void Connection::exec(const char* sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        const std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw SqliteError(std::string("sqlite exec: ") + message, rc);
    }
}

Transaction::Transaction(Connection& connection) : connection_(connection) {
    connection_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) {
        try {
            connection_.exec("ROLLBACK");
        } catch (const SqliteError&) {
        }
    }
}

void Transaction::commit() {
    connection_.exec("COMMIT");
    done_ = true;
}

}  // namespace siagent::dashboard::sqlite
