// Accounts, login sessions and API tokens in SQLite. Secrets are stored only as hashes.
#pragma once

#include "core/ticket.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

struct user {
    std::int64_t id = 0;
    std::string login;
    std::string name;
    role who = role::teacher;
    std::string school_number;    // teachers
    std::int64_t manager_id = 0;  // campus managers: their managers row
    std::string password_hash;    // argon2id string; empty: cannot log in with a password
    bool disabled = false;
};

std::optional<user> find_user(SQLite::Database& db, std::int64_t id);
std::optional<user> find_user_by_login(SQLite::Database& db, std::string_view login);
std::int64_t insert_user(SQLite::Database& db, const user& u, time_ms now);
bool set_password_hash(SQLite::Database& db, std::string_view login, const std::string& hash);
// Disabling also ends the user's sessions and API tokens.
bool disable_user(SQLite::Database& db, std::string_view login);
std::size_t count_users(SQLite::Database& db);

struct session_record {
    user who;
    std::string csrf_token;
    time_ms expires_at = 0;
};

void insert_session(SQLite::Database& db, const std::string& token_hash, std::int64_t user_id,
                    const std::string& csrf_token, time_ms now, time_ms expires_at);
// The session and its user, if it exists, has not expired and the user is not disabled.
std::optional<session_record> find_session(SQLite::Database& db, const std::string& token_hash, time_ms now);
void delete_session(SQLite::Database& db, const std::string& token_hash);
void delete_expired_sessions(SQLite::Database& db, time_ms now);

void insert_api_token(SQLite::Database& db, const std::string& token_hash, std::int64_t user_id, time_ms now);
std::optional<user> find_user_by_api_token(SQLite::Database& db, const std::string& token_hash);

// Who did what, for the audit log (dispatcher actions, absences, account changes).
void append_audit(SQLite::Database& db, time_ms at, std::int64_t actor_id, std::string_view action,
                  std::string_view subject, std::string_view detail);

} // namespace campusdesk
