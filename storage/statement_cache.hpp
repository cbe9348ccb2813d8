// Prepared statements kept per connection for reuse. SQLite parses and plans SQL at every prepare, which was a
// quarter of the server's CPU under the create benchmark; the server's long-lived connections (the writer, the
// reader pool) therefore keep their statements. Other connections (CLI, tests) prepare as before.
#pragma once

#include "storage/raw_statement.hpp"

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
// snapshot or stale values for the next user. Statement is SQLite::Statement (reused_statement) or, for the rows
// of ticket lists, raw_statement (reused_raw_statement).
template <class Statement>
class basic_reused_statement {
public:
    basic_reused_statement(SQLite::Database& db, const std::string& sql);
    basic_reused_statement(basic_reused_statement&& other) noexcept
        : owned_(std::move(other.owned_)), statement_(other.statement_),
          in_use_(std::exchange(other.in_use_, nullptr)) {}
    ~basic_reused_statement();
    basic_reused_statement(const basic_reused_statement&) = delete;
    basic_reused_statement& operator=(const basic_reused_statement&) = delete;

    Statement& operator*() { return *statement_; }
    Statement* operator->() { return statement_; }

private:
    std::unique_ptr<Statement> owned_;
    Statement* statement_ = nullptr;
    bool* in_use_ = nullptr;
};

using reused_statement = basic_reused_statement<SQLite::Statement>;
using reused_raw_statement = basic_reused_statement<raw_statement>;

extern template class basic_reused_statement<SQLite::Statement>;
extern template class basic_reused_statement<raw_statement>;

} // namespace campusdesk
