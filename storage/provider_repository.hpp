// The provider's own small database (issue 21, docs/tenants.md): the provider admins and their sessions, apart
// from every tenant's campusdesk.db. <data>/provider.db; its schema is versioned on its own (PRAGMA user_version).
#pragma once

#include "core/ticket.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <optional>
#include <string>

namespace campusdesk {

inline std::filesystem::path provider_database_file(const std::filesystem::path& data_dir) {
    return data_dir / "provider.db";
}

// Opens (creating and migrating) the provider database for reading and writing: WAL, synchronous=FULL.
SQLite::Database open_provider_database(const std::filesystem::path& file);

struct provider_admin {
    std::int64_t id = 0;
    std::string login;
    std::string password_hash;  // argon2id, as the tenants' accounts
};

// False when the login exists already (logins compare case-insensitively).
bool add_provider_admin(SQLite::Database& db, const std::string& login, const std::string& password_hash, time_ms now);
std::optional<provider_admin> find_provider_admin(SQLite::Database& db, const std::string& login);

struct provider_session {
    std::string login;
    std::string csrf_token;
    time_ms created_at = 0;
    time_ms last_seen_at = 0;
};

// Sessions are stored by their token's digest (a leaked file grants none).
void insert_provider_session(SQLite::Database& db, const std::string& digest, std::int64_t admin_id,
                             const std::string& csrf_token, time_ms now, time_ms expires_at);
// The session if it exists, has not expired at `now` and its admin still exists.
std::optional<provider_session> find_provider_session(SQLite::Database& db, const std::string& digest, time_ms now);
void touch_provider_session(SQLite::Database& db, const std::string& digest, time_ms now);
void delete_provider_session(SQLite::Database& db, const std::string& digest);
void delete_expired_provider_sessions(SQLite::Database& db, time_ms now);

// What provider admins did to a tenant (an export): kept in provider.db, apart from every tenant's data.
void append_provider_audit(SQLite::Database& db, time_ms at, const std::string& login, const std::string& action,
                           const std::string& tenant);

} // namespace campusdesk
