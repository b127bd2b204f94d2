// A thin RAII layer over one SQLite connection: statements are prepared once per
// connection and cached, so every query text is compiled once. A Connection is used by one
// thread at a time (the storage hands them out); errors throw SqliteError, which the
// server turns into a 500 without detail.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace siagent::dashboard::sqlite {

class SqliteError : public std::runtime_error {
public:
    SqliteError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};

struct Null {};

// Binds as a BLOB rather than TEXT.
struct Blob {
    std::string_view bytes;
};

// A cached prepared statement, reset (and its bindings cleared) when this handle dies.
class Statement {
public:
    explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
    Statement(Statement&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    template <class... Values>
    Statement& bind(const Values&... values) {
        int index = 0;
        (bind_one(++index, values), ...);
        return *this;
    }
    // Binds parameter `index` (1-based) alone, over what bind() put there.
    template <class Value>
    Statement& bind_at(int index, const Value& value) {
        bind_one(index, value);
        return *this;
    }
    // Advances to the next row; false when done.
    bool step();
    // Runs a statement that returns no rows.
    void run() {
        while (step()) {
        }
    }

    bool is_null(int column) const;
    int64_t integer(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::string_view blob(int column) const;
    std::optional<int64_t> optional_integer(int column) const;
    std::optional<double> optional_real(int column) const;

private:
    void bind_one(int index, int64_t value);
    void bind_one(int index, int value) { bind_one(index, static_cast<int64_t>(value)); }
    void bind_one(int index, double value);
    void bind_one(int index, std::string_view value);
    void bind_one(int index, const std::string& value) { bind_one(index, std::string_view(value)); }
    void bind_one(int index, const char* value) { bind_one(index, std::string_view(value)); }
    void bind_one(int index, Null);
    void bind_one(int index, Blob value) { bind_blob(index, value.bytes); }
    void bind_blob(int index, std::string_view value);
    template <class T>
    void bind_one(int index, const std::optional<T>& value) {
        if (value) bind_one(index, *value);
        else bind_one(index, Null{});
    }

    sqlite3_stmt* statement_;
};

class Connection {
public:
    // Opens (creating when `create`) the database file and applies the per-connection
    // settings: WAL, foreign keys, a busy timeout.
    Connection(const std::string& path, bool create);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // `sql` must be a string literal: the cache is keyed by its address.
    Statement prepare(const char* sql);
    void exec(const char* sql);
    int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
    int64_t changes() const { return sqlite3_changes(db_); }

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted (an exception).
class Transaction {
public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    void commit();

private:
    Connection& connection_;
    bool done_ = false;
};

}  // namespace siagent::dashboard::sqlite
