// The dashboard's advisory locks (pg_advisory_lock's bigint space, one key per job) and a
// session-level one held for a scope. A session lock outlives transactions; it ends with
// the scope, or with the session if the connection breaks first.
#pragma once

#include <cstdint>

#include "dashboard/server/postgres/connection.h"

namespace siagent::dashboard::postgres {

enum class LockKey : int64_t {
    migrate = 0x5349'4147'0001,     // "SIAG" 1: schema migrations
    partitions = 0x5349'4147'0002,  // creating or dropping report partitions
    retention = 0x5349'4147'0003,   // delete_before: one instance at a time
    rollups = 0x5349'4147'0004,     // build_rollups and build_span_rollups: one instance at a time
    report_ids = 0x5349'4147'0005,  // shared by writers of reports; see postgres_storage.h
    judging = 0x5349'4147'0006,     // the judging lease (model/storage.h), held by a session for its life
};

class SessionLock {
public:
    enum class Mode { wait, try_once };  // try_once: not held when another session holds it
    SessionLock(Connection& db, LockKey key, Mode mode) : db_(db), key_(static_cast<int64_t>(key)) {
        if (mode == Mode::wait) {
            db_.query("SELECT pg_advisory_lock($1)", key_);
            held_ = true;
        } else {
            held_ = db_.query("SELECT pg_try_advisory_lock($1)", key_).text(0, 0) == "t";
        }
    }
    ~SessionLock() {
        if (!held_) return;
        try {
            db_.query("SELECT pg_advisory_unlock($1)", key_);
        } catch (...) {
            // a broken connection: the lock ended with its session
        }
    }
    SessionLock(const SessionLock&) = delete;
    SessionLock& operator=(const SessionLock&) = delete;
    bool held() const { return held_; }

private:
    Connection& db_;
    int64_t key_;
    bool held_ = false;
};

}  // namespace siagent::dashboard::postgres
