#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Exception.h>

#include <mutex>
#include <tuple>
#include <unordered_map>

namespace campusdesk {
namespace {

template <class Statement>
struct kept_statement {
    std::unique_ptr<Statement> statement;
    bool in_use = false;
};
template <class Statement>
using statements_by_sql = std::unordered_map<std::string, kept_statement<Statement>>;
// One connection's statements by SQL, one map per kind (std::get by type). Only the thread currently holding
// the connection touches it.
using connection_statements = std::tuple<statements_by_sql<SQLite::Statement>, statements_by_sql<raw_statement>>;

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

template <class Statement>
basic_reused_statement<Statement>::basic_reused_statement(SQLite::Database& db, const std::string& sql) {
    if (auto* statements = statements_of(db)) {
        auto& kept = std::get<statements_by_sql<Statement>>(*statements)[sql];
        if (!kept.in_use) {
            if (!kept.statement) kept.statement = std::make_unique<Statement>(db, sql);
            kept.in_use = true;
            in_use_ = &kept.in_use;
            statement_ = kept.statement.get();
            return;
        }
    }
    owned_ = std::make_unique<Statement>(db, sql);
    statement_ = owned_.get();
}

template <class Statement>
basic_reused_statement<Statement>::~basic_reused_statement() {
    if (!in_use_) return;
    try {
        statement_->reset();  // also reports the last step's error again; the statement is reset all the same
    } catch (const SQLite::Exception&) {
    }
    statement_->clearBindings();
    *in_use_ = false;
}

template class basic_reused_statement<SQLite::Statement>;
template class basic_reused_statement<raw_statement>;

} // namespace campusdesk
