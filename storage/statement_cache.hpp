// Prepared statements kept per connection for reuse. SQLite parses and plans SQL at every prepare, which was a
// quarter of the server's CPU under the create benchmark; the server's long-lived connections (the writer, the
// reader pool) therefore keep their statements. Other connections (CLI, tests) prepare as before.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <utility>

namespace campusdesk {

// While alive, statements of `db` prepared through reused_statement are kept for reuse. Destroy it before the
// connection closes (declare it after the connection it guards).
class statement_reuse {
public:
    explicit statement_reuse(const SQLite::Database& db);
    ~statement_reuse();
    statement_reuse(const statement_reuse&) = delete;
    statement_reuse& operator=(const statement_reuse&) = delete;

private:
    const SQLite::Database* db_;
};

// A prepared statement for `sql`: the connection's kept one if it keeps statements and that one is not in use,
// else a fresh one. On destruction a kept statement is reset and its bindings cleared, so it never holds a read
// snapshot or stale values for the next user.
class reused_statement {
public:
    reused_statement(SQLite::Database& db, const std::string& sql);
    reused_statement(reused_statement&& other) noexcept
        : owned_(std::move(other.owned_)), statement_(other.statement_), in_use_(std::exchange(other.in_use_, nullptr)) {}
    ~reused_statement();
    reused_statement(const reused_statement&) = delete;
    reused_statement& operator=(const reused_statement&) = delete;

    SQLite::Statement& operator*() { return *statement_; }
    SQLite::Statement* operator->() { return statement_; }

private:
    std::unique_ptr<SQLite::Statement> owned_;
    SQLite::Statement* statement_ = nullptr;
    bool* in_use_ = nullptr;
};

} // namespace campusdesk
