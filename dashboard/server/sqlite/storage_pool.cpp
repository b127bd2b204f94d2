#include "dashboard/server/sqlite/schema.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {

SqliteStorage::SqliteStorage(const std::string& path, size_t readers) : path_(path) {
    writer_ = std::make_unique<Connection>(path, true);
    migrate(*writer_);
    for (size_t i = 0; i < std::max<size_t>(readers, 1); ++i) {
        idle_readers_.push_back(std::make_unique<Connection>(path, false));
    }
}

SqliteStorage::Reader SqliteStorage::reader() {
    std::unique_lock lock(readers_mutex_);
    reader_returned_.wait(lock, [this] { return !idle_readers_.empty(); });
    auto connection = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    return Reader(*this, std::move(connection));
}

SqliteStorage::Reader::~Reader() {
    {
        std::lock_guard lock(owner_.readers_mutex_);
        owner_.idle_readers_.push_back(std::move(connection_));
    }
    owner_.reader_returned_.notify_one();
}

int64_t SqliteStorage::delete_before(int64_t cutoff, int64_t now) {
    auto db = writer();
    Transaction transaction(*db);
    db->prepare("DELETE FROM reports WHERE timestamp < ?").bind(cutoff).run();
    const int64_t removed = db->changes();
    db->prepare("DELETE FROM errors WHERE timestamp < ?").bind(cutoff).run();
    db->prepare("DELETE FROM anomalies WHERE time < ?").bind(cutoff).run();
    db->prepare("DELETE FROM detector_states WHERE saved < ?").bind(cutoff).run();
    db->prepare("DELETE FROM rollups WHERE hour * 3600 < ?").bind(cutoff).run();
    db->prepare("DELETE FROM span_rollups WHERE hour * 3600 < ?").bind(cutoff).run();
    db->prepare("DELETE FROM processes WHERE last_seen < ?").bind(cutoff).run();
    db->prepare("DELETE FROM sessions WHERE expires < ?").bind(now).run();
    db->prepare("DELETE FROM anomaly_rules WHERE until IS NOT NULL AND until < ?").bind(now).run();
    transaction.commit();
    return removed;
}

}  // namespace siagent::dashboard::sqlite
