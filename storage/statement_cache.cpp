#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Exception.h>

#include <mutex>
#include <unordered_map>

namespace campusdesk {
namespace {

struct kept_statement {
    std::unique_ptr<SQLite::Statement> statement;
    bool in_use = false;
};
// One connection's statements by SQL. Only the thread currently holding the connection touches it.
using connection_statements = std::unordered_map<std::string, kept_statement>;

// Which connections keep statements. The map itself is shared by all threads, so it is guarded.
std::mutex registry_mutex;
std::unordered_map<const SQLite::Database*, std::unique_ptr<connection_statements>> registry;

connection_statements* statements_of(const SQLite::Database& db) {
    std::lock_guard lock(registry_mutex);
    auto it = registry.find(&db);
    return it == registry.end() ? nullptr : it->second.get();
}

} // namespace

statement_reuse::statement_reuse(const SQLite::Database& db) : db_(&db) {
    std::lock_guard lock(registry_mutex);
    registry.emplace(db_, std::make_unique<connection_statements>());
}

statement_reuse::~statement_reuse() {
    std::unique_ptr<connection_statements> statements;
    {
        std::lock_guard lock(registry_mutex);
        auto it = registry.find(db_);
        statements = std::move(it->second);
        registry.erase(it);
    }
    // finalized here, while the connection is still open
}

reused_statement::reused_statement(SQLite::Database& db, const std::string& sql) {
    if (auto* statements = statements_of(db)) {
        auto& kept = (*statements)[sql];
        if (!kept.in_use) {
            if (!kept.statement) kept.statement = std::make_unique<SQLite::Statement>(db, sql);
            kept.in_use = true;
            in_use_ = &kept.in_use;
            statement_ = kept.statement.get();
            return;
        }
    }
    owned_ = std::make_unique<SQLite::Statement>(db, sql);
    statement_ = owned_.get();
}

reused_statement::~reused_statement() {
    if (!in_use_) return;
    try {
        statement_->reset();  // also reports the last step's error again; the statement is reset all the same
    } catch (const SQLite::Exception&) {
    }
    statement_->clearBindings();
    *in_use_ = false;
}

} // namespace campusdesk
