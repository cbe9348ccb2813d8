// Opening campusdesk's SQLite database: pragmas for durability and the numbered schema migrations.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include <filesystem>

namespace campusdesk {

inline constexpr int schema_version = 22;

// What storage functions throw when the database itself fails (disk full, I/O error, locked too long), by a name
// that callers can catch without knowing the engine.
using storage_error = SQLite::Exception;

// The database file in a data directory (--data, [server] data_dir).
inline std::filesystem::path database_file(const std::filesystem::path& data_dir) { return data_dir / "campusdesk.db"; }

// The writer connection: WAL, synchronous=FULL (an acknowledged write survives power loss), migrations applied.
SQLite::Database open_writer_database(const std::filesystem::path& file);

// A read-only connection for the reader pool; the writer must have created the schema first.
SQLite::Database open_reader_database(const std::filesystem::path& file);

// The page cache of every connection opened from now on, in KiB (default 16,000: 16 MB, what the 1M benchmarks
// ran with). SQLite fills it only as pages are read, so an idle connection holds little; a provider's process
// (docs/tenants.md) may cap it with [provider] cache_mb_per_connection.
void set_page_cache_per_connection(int kib);

// A trivial query: the connection answers (the health check).
bool database_answers(SQLite::Database& db);

// Brings the schema to `schema_version` step by step, each step in its own transaction.
void migrate(SQLite::Database& db);

} // namespace campusdesk
