// A thin RAII layer over one libpq connection. Every statement is parameterised ($1, $2,
// ...; values never enter the SQL text) and prepared once per connection, keyed by the
// address of its string literal, then planned with its values at every execution
// (plan_cache_mode, set at connect). Results come in text form (bytea columns decoded from their
// hex form by bytes()), or in binary form for streamed rows (each_row), whose readers then
// take bigint, double precision and bytea columns as such. A Connection is used by one thread at a time (the storage lends
// them out); errors throw PgError, which the server turns into a 500 without detail.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dashboard/server/postgres/array_param.h"
#include "dashboard/server/postgres/type_oids.h"

namespace siagent::dashboard::postgres {

class PgError : public std::runtime_error {
public:
    PgError(const std::string& what, std::string sqlstate) : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }  // "23505": unique violation, ...

private:
    std::string sqlstate_;
};

struct Null {};

// Sent as binary (for a bytea parameter) rather than text.
struct Blob {
    std::string_view bytes;
};

// The parameters of one statement, in order.
class Params {
public:
    void add(int64_t value) { text(std::to_string(value), type_oid::int8); }
    void add(int value) { add(static_cast<int64_t>(value)); }
    void add(size_t value) { add(static_cast<int64_t>(value)); }
    void add(double value);
    void add(std::string_view value) { text(std::string(value), type_oid::text); }
    void add(const std::string& value) { text(value, type_oid::text); }
    void add(const char* value) { text(value, type_oid::text); }
    void add(Null);
    void add(Blob value);
    void add(ArrayParam&& array);  // binary, typed as the array's type; its bytes are moved
    template <class T>
    void add(const std::optional<T>& value) {
        if (value) add(*value);
        else add(Null{});
    }

    int size() const { return static_cast<int>(values_.size()); }
    // The parameters' types as sent with the first use of a statement (0 for a NULL: the
    // server infers it, so a statement casts a parameter that may first come NULL).
    const Oid* types() const { return types_.data(); }
    std::vector<const char*> pointers() const;
    const int* lengths() const { return lengths_.data(); }
    const int* formats() const { return formats_.data(); }

private:
    void text(std::string value, Oid type);
    std::vector<std::optional<std::string>> values_;
    std::vector<Oid> types_;
    std::vector<int> lengths_;
    std::vector<int> formats_;
};

// The rows of one statement; owns its PGresult.
class Rows {
public:
    explicit Rows(PGresult* result, bool binary = false) : result_(result), binary_(binary) {}
    Rows(Rows&& other) noexcept : result_(other.result_), binary_(other.binary_) { other.result_ = nullptr; }
    ~Rows() { PQclear(result_); }
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;
    Rows& operator=(Rows&& other) noexcept {
        std::swap(result_, other.result_);
        std::swap(binary_, other.binary_);
        return *this;
    }

    int size() const { return PQntuples(result_); }
    bool empty() const { return size() == 0; }
    int64_t changes() const;  // rows an INSERT, UPDATE or DELETE touched

    bool is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
    int64_t integer(int row, int column) const;  // NULL reads 0
    double real(int row, int column) const;      // NULL reads 0
    std::string text(int row, int column) const;
    std::string bytes(int row, int column) const;  // a bytea column, decoded
    std::optional<int64_t> optional_integer(int row, int column) const;
    std::optional<double> optional_real(int row, int column) const;

private:
    friend class Connection;
    PGresult* result_;
    bool binary_ = false;
};

class Connection {
public:
    // Connects to `url` (a libpq connection URI); throws PgError when it cannot.
    explicit Connection(const std::string& url);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // `sql` must be a string literal (the prepared-statement cache is keyed by its address).
    template <class... Values>
    Rows query(const char* sql, Values&&... values) {
        Params params;
        (params.add(std::forward<Values>(values)), ...);
        return run(sql, params);
    }
    Rows run(const char* sql, const Params& params);
    // Streams the rows of a query one at a time (libpq's single-row mode), in binary form: a
    // large result is never held whole, nor bytea doubled into hex. `row` sees a one-row
    // Rows (row index 0); the query's integer columns must be bigint (binary int8).
    void each_row(const char* sql, const Params& params, const std::function<void(const Rows&)>& row);
    // Runs a statement whose text the program builds (placeholders for a number of rows),
    // unprepared; values only ever go in `params`.
    Rows run_built(const std::string& sql, const Params& params);
    // Runs a statement of any text once, unprepared and without parameters (DDL of
    // migrations and partitions; the text is the program's own, never input).
    void exec(const std::string& sql);
    // False once the server went away; the pool then replaces the connection.
    bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

private:
    const std::string& prepared_name(const char* sql, const Params& params);
    PGconn* conn_ = nullptr;
    std::unordered_map<const char*, std::string> prepared_;  // literal address -> statement name
};

// BEGIN ... COMMIT; rolls back when destroyed uncommitted (an exception).
class Transaction {
public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    void commit();

private:
    Connection& connection_;
    bool done_ = false;
};

}  // namespace siagent::dashboard::postgres
