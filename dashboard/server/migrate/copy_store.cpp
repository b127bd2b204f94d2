#include "dashboard/server/migrate/copy_store.h"

#include <openssl/evp.h>

#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <set>

#include "dashboard/server/migrate/table_specs.h"
#include "dashboard/server/postgres/partitions.h"
#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::migrate {
namespace {

// Past these a batch of rows is sent (PostgreSQL takes 65,535 parameters a statement).
constexpr size_t kMaxParams = 60'000;
constexpr size_t kMaxBatchBytes = 16 << 20;
// Days of reports that get a partition of their own; the rest go to reports_default.
constexpr int64_t kPartitionDaysBack = 400;

// An incremental SHA-256 over the canonical form of rows: per value its kind, then
// N for NULL, an integer in decimal, a real in its shortest exact form, text and blobs
// length-prefixed.
class RowHash {
public:
    RowHash() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr); }
    void null(char kind) { add(std::string(1, kind) + "N"); }
    void integer(int64_t value) { add("i" + std::to_string(value) + ";"); }
    void real(double value) {
        char buffer[32];
        const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
        add("r" + std::string(buffer, end) + ";");
    }
    void bytes(char kind, std::string_view value) {
        add(std::string(1, kind) + std::to_string(value.size()) + ":");
        add(value);
    }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(context_.get(), digest, &length);
        static const char* const kHex = "0123456789abcdef";
        std::string text;
        for (unsigned int i = 0; i < length; ++i) {
            text += kHex[digest[i] >> 4];
            text += kHex[digest[i] & 15];
        }
        return text;
    }

private:
    void add(std::string_view data) { EVP_DigestUpdate(context_.get(), data.data(), data.size()); }
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context_;
};

// The statements of one table, built once: their addresses key both connections'
// prepared-statement caches, so they live as long as the program.
struct TableSql {
    std::string select_sqlite, select_postgres, insert_head, value_casts;
    size_t columns = 0;
};

const std::vector<TableSql>& table_sql() {
    static const std::vector<TableSql> sql = [] {
        std::vector<TableSql> all;
        for (const TableSpec& table : kTables) {
            TableSql one;
            one.columns = std::string_view(table.kinds).size();
            size_t commas = 0;
            for (const char* c = table.columns; *c; ++c) commas += *c == ',';
            if (commas + 1 != one.columns) throw std::logic_error(std::string("table spec of ") + table.name);
            one.select_sqlite = std::string("SELECT ") + table.columns + " FROM " + table.name + " ORDER BY " + table.key;
            one.select_postgres =
                std::string("SELECT ") + table.columns + " FROM " + table.name + " ORDER BY " + table.pg_key;
            one.insert_head = std::string("INSERT INTO ") + table.name + "(" + table.columns + ") VALUES ";
            all.push_back(std::move(one));
        }
        return all;
    }();
    return sql;
}

const char* cast_of(char kind) {
    switch (kind) {
        case 'i': return "bigint";
        case 'r': return "float8";
        case 'b': return "bytea";
        default: return "text";
    }
}

// Rows of one table buffered for a multi-row INSERT.
class Batch {
public:
    Batch(postgres::Connection& target, const TableSpec& table, const TableSql& sql)
        : target_(target), table_(table), sql_(sql) {}
    postgres::Params& params() { return params_; }
    void row_added(size_t bytes) {
        ++rows_;
        bytes_ += bytes;
        if (params_.size() + sql_.columns > kMaxParams || bytes_ >= kMaxBatchBytes) flush();
    }
    void flush() {
        if (rows_ == 0) return;
        std::string sql = sql_.insert_head;
        for (size_t row = 0, n = 1; row < rows_; ++row) {
            sql += row ? ", (" : "(";
            for (size_t column = 0; column < sql_.columns; ++column, ++n) {
                sql += (column ? ", $" : "$") + std::to_string(n) + "::" + cast_of(table_.kinds[column]);
            }
            sql += ")";
        }
        target_.run_built(sql, params_);
        params_ = postgres::Params();
        rows_ = 0;
        bytes_ = 0;
    }

private:
    postgres::Connection& target_;
    const TableSpec& table_;
    const TableSql& sql_;
    postgres::Params params_;
    size_t rows_ = 0, bytes_ = 0;
};

// Copies one table, hashing what it read; returns (rows, hash).
std::pair<int64_t, std::string> copy_table(sqlite::Connection& source, postgres::Connection& target,
                                           const TableSpec& table, const TableSql& sql) {
    RowHash hash;
    Batch batch(target, table, sql);
    int64_t rows = 0;
    auto row = source.prepare(sql.select_sqlite.c_str());
    while (row.step()) {
        size_t bytes = 0;
        for (size_t c = 0; c < sql.columns; ++c) {
            const int column = static_cast<int>(c);
            const char kind = table.kinds[c];
            auto& params = batch.params();
            if (row.is_null(column)) {
                hash.null(kind);
                params.add(postgres::Null{});
            } else if (kind == 'i') {
                hash.integer(row.integer(column));
                params.add(row.integer(column));
            } else if (kind == 'r') {
                hash.real(row.real(column));
                params.add(row.real(column));
            } else if (kind == 'b') {
                const std::string_view blob = row.blob(column);
                hash.bytes(kind, blob);
                params.add(postgres::Blob{blob});
                bytes += blob.size();
            } else {
                const std::string text = row.text(column);
                hash.bytes(kind, text);
                params.add(text);
                bytes += text.size();
            }
        }
        ++rows;
        batch.row_added(bytes);
    }
    batch.flush();
    return {rows, hash.hex()};
}

// Reads one table back from PostgreSQL in the same order and form.
std::pair<int64_t, std::string> hash_target(postgres::Connection& target, const TableSpec& table, const TableSql& sql) {
    RowHash hash;
    int64_t rows = 0;
    target.each_row(sql.select_postgres.c_str(), postgres::Params(), [&](const postgres::Rows& row) {
        for (size_t c = 0; c < sql.columns; ++c) {
            const int column = static_cast<int>(c);
            const char kind = table.kinds[c];
            if (row.is_null(0, column)) hash.null(kind);
            else if (kind == 'i') hash.integer(row.integer(0, column));
            else if (kind == 'r') hash.real(row.real(0, column));
            else if (kind == 'b') hash.bytes(kind, row.bytes(0, column));
            else hash.bytes(kind, row.text(0, column));
        }
        ++rows;
    });
    return {rows, hash.hex()};
}

}  // namespace

Result<std::vector<TableCopy>> copy_store(const std::filesystem::path& sqlite_file, const std::string& postgres_url) {
    std::error_code error;
    if (!std::filesystem::exists(sqlite_file, error)) return Failure{1, sqlite_file.string() + " does not exist"};
    sqlite::SqliteStorage(sqlite_file.string(), 1);  // brings the source to the current schema
    sqlite::Connection source(sqlite_file.string(), false);
    postgres::PostgresStorage(postgres_url, 1);      // creates or migrates the target's schema
    postgres::Connection target(postgres_url);
    if (!target.query("SELECT 1 FROM accounts LIMIT 1").empty()) {
        return Failure{1, "the target database holds accounts already: migrate copies into an empty one"};
    }
    // Day partitions for the source's recent days, each in its own transaction (partitions.h).
    const int64_t today =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() /
        86400;
    {
        auto days = source.prepare("SELECT DISTINCT timestamp / 86400 FROM reports WHERE timestamp >= 0");
        while (days.step()) {
            const int64_t day = days.integer(0);
            if (day >= today - kPartitionDaysBack && day <= today + postgres::kPartitionDaysAround) {
                postgres::create_day_partition(target, day);
            }
        }
    }
    const auto& sql = table_sql();
    std::vector<TableCopy> copies;
    {
        // One transaction: a copy that fails leaves the target as it was.
        postgres::Transaction transaction(target);
        for (size_t i = 0; i < kTables.size(); ++i) {
            TableCopy copy;
            copy.table = kTables[i].name;
            std::tie(copy.source_rows, copy.source_sha256) = copy_table(source, target, kTables[i], sql[i]);
            copies.push_back(std::move(copy));
        }
        // New ids continue after the copied ones.
        for (const TableSpec& table : kTables) {
            if (!table.identity) continue;
            target.exec(std::string("SELECT setval(pg_get_serial_sequence('") + table.name +
                        "', 'id'), GREATEST(MAX(id), 1), MAX(id) IS NOT NULL) FROM " + table.name);
        }
        target.exec("SELECT setval('reports_id_seq', GREATEST(MAX(id), 1), MAX(id) IS NOT NULL) FROM reports");
        transaction.commit();
    }
    for (size_t i = 0; i < kTables.size(); ++i) {
        std::tie(copies[i].target_rows, copies[i].target_sha256) = hash_target(target, kTables[i], sql[i]);
    }
    return copies;
}

std::string copy_report(const std::vector<TableCopy>& tables) {
    std::string text;
    bool same = true;
    for (const TableCopy& table : tables) {
        same = same && table.same();
        text += table.table + ": " + std::to_string(table.source_rows) + " rows, sha256 " + table.source_sha256;
        if (table.same()) {
            text += " (copy identical)\n";
        } else {
            text += "; the copy has " + std::to_string(table.target_rows) + " rows, sha256 " + table.target_sha256 +
                    " (DIFFERENT)\n";
        }
    }
    text += same ? "every table copied identically\n" : "the copy differs from the source\n";
    return text;
}

}  // namespace siagent::dashboard::migrate
