// A prepared statement used through SQLite's C API, for the rows of ticket lists. SQLiteCpp's Column holds a
// copy of its statement's shared pointer, so each value read costs two atomic operations: ≈ 12 % of a list API
// request's cycles (tests/bench/profiling.md, step 26), and SQLiteCpp 3.2 gives no access to the sqlite3_stmt
// underneath. The names follow SQLite::Statement's, so code that reads rows can take either.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace campusdesk {

class raw_statement;

// One value of the current row, valid until the next step.
class raw_column {
public:
    raw_column(sqlite3_stmt* statement, int index) : statement_(statement), index_(index) {}
    std::int64_t getInt64() const;
    // The integer, or nothing for NULL.
    std::optional<std::int64_t> getOptionalInt64() const;
    int getInt() const;
    std::string getString() const;
    // The text without a copy (valid until the next step); "" for NULL.
    std::string_view getText() const;
    bool isNull() const;

private:
    sqlite3_stmt* statement_;
    int index_;
};

class raw_statement {
public:
    // Throws SQLite::Exception if `sql` does not compile.
    raw_statement(SQLite::Database& db, const std::string& sql);
    ~raw_statement();
    raw_statement(const raw_statement&) = delete;
    raw_statement& operator=(const raw_statement&) = delete;

    void bind(int index, std::int64_t value);
    void bind(int index, const std::string& value);
    // Steps to the next row: true while there is one. Throws SQLite::Exception on an error.
    bool executeStep();
    raw_column getColumn(int index) const { return {statement_, index}; }
    void reset();
    void clearBindings();

    const std::string& getQuery() const { return sql_; }
    int getBindParameterCount() const;

private:
    void check(int result) const;

    SQLite::Database& db_;
    sqlite3_stmt* statement_ = nullptr;
    std::string sql_;
};

} // namespace campusdesk
