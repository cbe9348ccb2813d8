// Opening campusdesk's SQLite database: pragmas for durability and the numbered schema migrations.
#pragma once

#include <SQLiteCpp/Database.h>

#include <filesystem>

namespace campusdesk {

inline constexpr int schema_version = 7;

// The writer connection: WAL, synchronous=FULL (an acknowledged write survives power loss), migrations applied.
SQLite::Database open_writer_database(const std::filesystem::path& file);

// A read-only connection for the reader pool; the writer must have created the schema first.
SQLite::Database open_reader_database(const std::filesystem::path& file);

// Brings the schema to `schema_version` step by step, each step in its own transaction.
void migrate(SQLite::Database& db);

} // namespace campusdesk
