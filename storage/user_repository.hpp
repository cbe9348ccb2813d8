// Accounts, login sessions and API tokens in SQLite. Secrets are stored only as hashes.
#pragma once

#include "core/language.hpp"
#include "core/ticket.hpp"

#include <SQLiteCpp/Database.h>

#include <map>
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
    std::optional<language> lang;  // the pages' language the user chose; none: the browser's
};

std::optional<user> find_user(SQLite::Database& db, std::int64_t id);
std::optional<user> find_user_by_login(SQLite::Database& db, std::string_view login);
// The active account with this e-mail address (users.email, compared without regard to case), or nothing; the
// oldest if several share it.
std::optional<user> find_user_by_email(SQLite::Database& db, std::string_view address);
// Names of the given user ids; 0 is "System" (events the server records by itself).
std::map<std::int64_t, std::string> load_user_names(SQLite::Database& db, const std::vector<std::int64_t>& ids);
struct user_role {
    std::int64_t id = 0;
    std::string login;
    role who = role::teacher;
};
// Every account's login and role (for checking an import's logins), disabled ones too.
std::vector<user_role> load_user_roles(SQLite::Database& db);
// `email`: where notifications go (issue 17; empty: none). A campus manager gets the address of their managers row
// (managers.csv) instead.
std::int64_t insert_user(SQLite::Database& db, const user& u, time_ms now, std::string_view email = {});
// Sets a new password hash and ends every session and API token of the user: whoever knew the old password may
// hold a session made with it. Returns how many sessions and tokens were ended, or nullopt for an unknown login.
std::optional<std::size_t> set_password_hash(SQLite::Database& db, std::string_view login, const std::string& hash);
// The user's own change: the new hash, and every session and token ends but the one it was made in. Returns how
// many ended.
std::size_t change_password(SQLite::Database& db, std::int64_t user_id, const std::string& hash,
                            std::string_view keep_session_hash);
// Disabling also ends the user's sessions and API tokens.
bool disable_user(SQLite::Database& db, std::string_view login);
std::size_t count_users(SQLite::Database& db);
// The user's choice of the pages' language (none: follow the browser).
void set_user_language(SQLite::Database& db, std::int64_t user_id, std::optional<language> lang);
// Enabling a disabled account again (its sessions stay ended; the person logs in anew). False for an unknown login.
bool enable_user(SQLite::Database& db, std::string_view login);
// Accounts whose login or name contains `text` (case-insensitive for ASCII; all when empty), by login, at most
// `limit`; disabled ones too (the admin page enables them again).
std::vector<user> search_users(SQLite::Database& db, std::string_view text, std::size_t limit);
// The active teachers' accounts of a school, by name (phone intake: for whom the help desk files).
std::vector<user> teachers_of_school(SQLite::Database& db, std::string_view school_number);

struct session_record {
    user who;
    std::string csrf_token;
    time_ms created_at = 0;
    time_ms last_seen_at = 0;
    time_ms expires_at = 0;
};

void insert_session(SQLite::Database& db, const std::string& token_hash, std::int64_t user_id,
                    const std::string& csrf_token, time_ms now, time_ms expires_at, std::string_view client);
// The session and its user, if it exists, has not passed its absolute expiry and the user is not disabled (the
// idle timeout is the caller's rule: session_alive).
std::optional<session_record> find_session(SQLite::Database& db, const std::string& token_hash, time_ms now);
void touch_session(SQLite::Database& db, const std::string& token_hash, time_ms now);
void delete_session(SQLite::Database& db, const std::string& token_hash);
void delete_expired_sessions(SQLite::Database& db, time_ms now);

// A session or API token as its owner sees it in a list; `id` is a short prefix of the stored digest, enough to
// name it for revocation and useless for anything else.
struct credential_info {
    std::string id;
    bool api_token = false;
    std::string label;  // sessions: the browser (User-Agent, shortened); tokens: what it was made for
    time_ms created_at = 0;
    time_ms last_used_at = 0;  // 0: never
    time_ms expires_at = 0;
};
inline constexpr std::size_t credential_id_length = 12;
std::string credential_id_of(std::string_view token_hash);

// Sessions first (latest use first), then tokens.
std::vector<credential_info> list_credentials(SQLite::Database& db, std::int64_t user_id, time_ms now);
// Ends one session or token of the user by its id; false if the user has none with that id.
bool revoke_credential(SQLite::Database& db, std::int64_t user_id, std::string_view id);
// Ends every session and token of the user except the session `keep_session_hash` (may be empty). Returns how many.
std::size_t revoke_credentials(SQLite::Database& db, std::int64_t user_id, std::string_view keep_session_hash = {});

void insert_api_token(SQLite::Database& db, const std::string& token_hash, std::int64_t user_id, time_ms now,
                      time_ms expires_at, std::string_view label);
struct api_token_record {
    user who;
    time_ms last_used_at = 0;
};
// The token's user, if the token exists, has not expired and the user is not disabled.
std::optional<api_token_record> find_api_token(SQLite::Database& db, const std::string& token_hash, time_ms now);
void touch_api_token(SQLite::Database& db, const std::string& token_hash, time_ms now);

// Browsers in which a login succeeded before (the login throttle's known devices).
void remember_device(SQLite::Database& db, const std::string& device_hash, std::int64_t user_id, time_ms now);
bool is_known_device(SQLite::Database& db, const std::string& device_hash, std::int64_t user_id);

// Who did what, for the audit log (dispatcher actions, absences, account changes).
void append_audit(SQLite::Database& db, time_ms at, std::int64_t actor_id, std::string_view action,
                  std::string_view subject, std::string_view detail);

} // namespace campusdesk
