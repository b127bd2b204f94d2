// The webhook outbox (notify/notifier.h), shared by every instance on the database: a claim
// takes rows that no other transaction has locked (SKIP LOCKED), so two instances polling at
// once never claim the same delivery.
#include <algorithm>

#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/postgres/rows.h"

namespace siagent::dashboard::postgres {

std::optional<int64_t> PostgresStorage::queue_delivery(int64_t account_id, int64_t webhook_id, const std::string& body,
                                                       int64_t claimed_until_ms, size_t max_rows) {
    auto db = connection();
    // The bound is approximate across instances (each counts before it inserts): a few rows
    // past it at worst, never without bound.
    auto rows = db->query(
        "INSERT INTO webhook_outbox(account_id, webhook_id, body, attempts, due_ms, claimed_until_ms) "
        "SELECT $1, $2, $3, 0, 0, $4 WHERE (SELECT COUNT(*) FROM webhook_outbox) < $5 RETURNING id",
        account_id, webhook_id, body, claimed_until_ms, static_cast<int64_t>(max_rows));
    if (rows.empty()) return std::nullopt;
    return rows.integer(0, 0);
}

std::vector<OutboxDelivery> PostgresStorage::claim_deliveries(int64_t now_ms, int64_t claimed_until_ms,
                                                              size_t limit) {
    auto db = connection();
    auto rows = db->query(
        "UPDATE webhook_outbox SET claimed_until_ms = $1 WHERE id IN (SELECT id FROM webhook_outbox "
        "WHERE due_ms <= $2 AND claimed_until_ms <= $2 ORDER BY due_ms, id LIMIT $3 FOR UPDATE SKIP LOCKED) "
        "RETURNING id, account_id, webhook_id, body, attempts, due_ms",
        claimed_until_ms, now_ms, static_cast<int64_t>(limit));
    std::vector<std::pair<int64_t, OutboxDelivery>> by_due;
    for (int i = 0; i < rows.size(); ++i) {
        by_due.emplace_back(rows.integer(i, 5),
                            OutboxDelivery{rows.integer(i, 0), rows.integer(i, 1), rows.integer(i, 2), rows.text(i, 3),
                                           static_cast<int>(rows.integer(i, 4))});
    }
    std::sort(by_due.begin(), by_due.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second.id < b.second.id;
    });
    std::vector<OutboxDelivery> claimed;
    for (auto& entry : by_due) claimed.push_back(std::move(entry.second));
    return claimed;
}

void PostgresStorage::retry_delivery(int64_t id, int attempts, int64_t due_ms) {
    auto db = connection();
    db->query("UPDATE webhook_outbox SET attempts = $1, due_ms = $2, claimed_until_ms = 0 WHERE id = $3",
              static_cast<int64_t>(attempts), due_ms, id);
}

void PostgresStorage::finish_delivery(int64_t id) {
    auto db = connection();
    db->query("DELETE FROM webhook_outbox WHERE id = $1", id);
}

}  // namespace siagent::dashboard::postgres
