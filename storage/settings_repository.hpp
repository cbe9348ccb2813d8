// Named values of the installation kept in the database's settings table (not in the config file, so that every
// instance on one database shares them).
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

// The random secret of this name (`bytes` long, stored hex-encoded), made on first use. Call on the writer's
// connection (it may insert).
std::string load_or_create_secret(SQLite::Database& db, std::string_view name, std::size_t bytes);

// A plain named value (e.g. when a periodic job last ran), or nullopt; and setting it (inside the caller's
// transaction).
std::optional<std::string> load_setting(SQLite::Database& db, std::string_view name);
void save_setting(SQLite::Database& db, std::string_view name, std::string_view value);

} // namespace campusdesk
