// The webhook outbox (notify/notifier.h). One SQLite database has one writer, so a claim in
// the writer's transaction is atomic.
#include "dashboard/server/sqlite/rows.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {

std::optional<int64_t> SqliteStorage::queue_delivery(int64_t account_id, int64_t webhook_id, const std::string& body,
                                                     int64_t claimed_until_ms, size_t max_rows) {
    auto db = writer();
    Transaction transaction(*db);
    auto count = db->prepare("SELECT COUNT(*) FROM webhook_outbox");
    count.step();
    if (static_cast<size_t>(count.integer(0)) >= max_rows) return std::nullopt;
    db->prepare(
          "INSERT INTO webhook_outbox(account_id, webhook_id, body, attempts, due_ms, claimed_until_ms) "
          "VALUES (?, ?, ?, 0, 0, ?)")
        .bind(account_id, webhook_id, body, claimed_until_ms)
        .run();
    const int64_t id = db->last_insert_id();
    transaction.commit();
    return id;
}

std::vector<OutboxDelivery> SqliteStorage::claim_deliveries(int64_t now_ms, int64_t claimed_until_ms, size_t limit) {
    {
        // Polled every second: most polls find nothing and take no turn of the writer.
        auto db = reader();
        auto any = db->prepare("SELECT 1 FROM webhook_outbox WHERE due_ms <= ? AND claimed_until_ms <= ? LIMIT 1");
        if (!any.bind(now_ms, now_ms).step()) return {};
    }
    auto db = writer();
    Transaction transaction(*db);
    std::vector<OutboxDelivery> claimed;
    {
        auto due = db->prepare(
            "SELECT id, account_id, webhook_id, body, attempts FROM webhook_outbox "
            "WHERE due_ms <= ? AND claimed_until_ms <= ? ORDER BY due_ms, id LIMIT ?");
        due.bind(now_ms, now_ms, static_cast<int64_t>(limit));
        while (due.step()) {
            claimed.push_back(OutboxDelivery{due.integer(0), due.integer(1), due.integer(2), due.text(3),
                                             static_cast<int>(due.integer(4))});
        }
    }
    for (const OutboxDelivery& delivery : claimed) {
        db->prepare("UPDATE webhook_outbox SET claimed_until_ms = ? WHERE id = ?")
            .bind(claimed_until_ms, delivery.id)
            .run();
    }
    transaction.commit();
    return claimed;
}

void SqliteStorage::retry_delivery(int64_t id, int attempts, int64_t due_ms) {
    auto db = writer();
    db->prepare("UPDATE webhook_outbox SET attempts = ?, due_ms = ?, claimed_until_ms = 0 WHERE id = ?")
        .bind(static_cast<int64_t>(attempts), due_ms, id)
        .run();
}

void SqliteStorage::finish_delivery(int64_t id) {
    auto db = writer();
    db->prepare("DELETE FROM webhook_outbox WHERE id = ?").bind(id).run();
}

}  // namespace siagent::dashboard::sqlite
