#include "storage/raw_statement.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

namespace campusdesk {

std::int64_t raw_column::getInt64() const { return sqlite3_column_int64(statement_, index_); }

int raw_column::getInt() const { return sqlite3_column_int(statement_, index_); }

std::string raw_column::getString() const { return std::string(getText()); }

std::string_view raw_column::getText() const {
    // As SQLite::Column::getString: the text's bytes (sqlite3_column_text first, then its length), "" for NULL.
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, index_));
    if (!text) return {};
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, index_))};
}

std::optional<std::int64_t> raw_column::getOptionalInt64() const {
    if (sqlite3_column_type(statement_, index_) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(statement_, index_);
}

bool raw_column::isNull() const { return sqlite3_column_type(statement_, index_) == SQLITE_NULL; }

raw_statement::raw_statement(SQLite::Database& db, const std::string& sql) : db_(db), sql_(sql) {
    check(sqlite3_prepare_v3(db.getHandle(), sql.c_str(), static_cast<int>(sql.size() + 1), SQLITE_PREPARE_PERSISTENT,
                             &statement_, nullptr));
}

raw_statement::~raw_statement() { sqlite3_finalize(statement_); }

void raw_statement::bind(int index, std::int64_t value) { check(sqlite3_bind_int64(statement_, index, value)); }

void raw_statement::bind(int index, const std::string& value) {
    check(sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
}

bool raw_statement::executeStep() {
    const int result = sqlite3_step(statement_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    throw SQLite::Exception(db_.getHandle(), result);
}

void raw_statement::reset() { sqlite3_reset(statement_); }

void raw_statement::clearBindings() { sqlite3_clear_bindings(statement_); }

int raw_statement::getBindParameterCount() const { return sqlite3_bind_parameter_count(statement_); }

void raw_statement::check(int result) const {
    if (result != SQLITE_OK) throw SQLite::Exception(db_.getHandle(), result);
}

} // namespace campusdesk
