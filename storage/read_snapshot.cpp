#include "storage/read_snapshot.hpp"

#include "storage/statement_cache.hpp"

#include <sqlite3.h>

namespace campusdesk {

read_snapshot::read_snapshot(SQLite::Database& db) : db_(db), own_(sqlite3_get_autocommit(db.getHandle()) != 0) {
    if (own_) reused_statement(db_, "BEGIN")->exec();
}

read_snapshot::~read_snapshot() {
    if (!own_) return;
    try {
        reused_statement(db_, "COMMIT")->exec();
    } catch (...) {  // a read ends anyway: never leave the connection on an old snapshot
        sqlite3_exec(db_.getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

} // namespace campusdesk
