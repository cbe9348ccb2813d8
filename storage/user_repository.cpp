#include "storage/user_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <set>

namespace campusdesk {
namespace {

constexpr const char* user_columns =
    "u.id, u.login, u.name, u.role, COALESCE(u.school_number, ''), COALESCE(u.manager_id, 0), u.password_hash, "
    "u.disabled, u.language";
constexpr int user_column_count = 9;  // the columns after them start here

user read_user(SQLite::Statement& s) {
    user u;
    u.id = s.getColumn(0).getInt64();
    u.login = s.getColumn(1).getString();
    u.name = s.getColumn(2).getString();
    u.who = parse_role(s.getColumn(3).getString()).value_or(role::teacher);
    u.school_number = s.getColumn(4).getString();
    u.manager_id = s.getColumn(5).getInt64();
    u.password_hash = s.getColumn(6).getString();
    u.disabled = s.getColumn(7).getInt() != 0;
    u.lang = parse_language(s.getColumn(8).getString());
    return u;
}

std::optional<user> find_one(SQLite::Database& db, const std::string& condition, auto value) {
    SQLite::Statement s(db, std::string("SELECT ") + user_columns + " FROM users u WHERE " + condition);
    s.bind(1, value);
    if (!s.executeStep()) return std::nullopt;
    return read_user(s);
}

} // namespace

std::optional<user> find_user(SQLite::Database& db, std::int64_t id) { return find_one(db, "u.id = ?", id); }

std::optional<user> find_user_by_login(SQLite::Database& db, std::string_view login) {
    return find_one(db, "u.login = ?", std::string(login));
}

std::optional<user> find_user_by_email(SQLite::Database& db, std::string_view address) {
    if (address.empty()) return std::nullopt;
    // lower() on both sides, as the index users_by_email: SQLite's lower() folds ASCII only, like mail systems.
    return find_one(db, "lower(u.email) = lower(?) AND u.email <> '' AND u.disabled = 0 ORDER BY u.id LIMIT 1",
                    std::string(address));
}

std::map<std::int64_t, std::string> load_user_names(SQLite::Database& db, const std::vector<std::int64_t>& ids) {
    std::map<std::int64_t, std::string> names{{0, "System"}};
    std::set<std::int64_t> unique(ids.begin(), ids.end());
    unique.erase(0);
    if (unique.empty()) return names;
    std::string list;
    for (auto id : unique) list += fmt::format("{}{}", list.empty() ? "[" : ",", id);
    reused_statement s(db, "SELECT id, name FROM users WHERE id IN (SELECT value FROM json_each(?))");
    s->bind(1, list + "]");
    while (s->executeStep()) names[s->getColumn(0).getInt64()] = s->getColumn(1).getString();
    return names;
}

std::vector<user_role> load_user_roles(SQLite::Database& db) {
    std::vector<user_role> users;
    SQLite::Statement s(db, "SELECT id, login, role FROM users");
    while (s.executeStep())
        users.push_back({s.getColumn(0).getInt64(), s.getColumn(1).getString(),
                         parse_role(s.getColumn(2).getString()).value_or(role::teacher)});
    return users;
}

std::int64_t insert_user(SQLite::Database& db, const user& u, time_ms now, std::string_view email) {
    SQLite::Statement s(db, "INSERT INTO users (login, name, role, school_number, manager_id, password_hash, "
                            "disabled, created_at, email) VALUES (?,?,?,?,?,?,?,?,"
                            "COALESCE((SELECT email FROM managers WHERE id = ?5), ?9))");
    s.bind(1, u.login);
    s.bind(2, u.name);
    s.bind(3, std::string(to_string(u.who)));
    if (u.school_number.empty()) s.bind(4);
    else s.bind(4, u.school_number);
    if (u.manager_id == 0) s.bind(5);
    else s.bind(5, u.manager_id);
    s.bind(6, u.password_hash);
    s.bind(7, u.disabled ? 1 : 0);
    s.bind(8, now);
    s.bind(9, std::string(email));
    s.exec();
    return db.getLastInsertRowid();
}

std::optional<std::size_t> set_password_hash(SQLite::Database& db, std::string_view login, const std::string& hash) {
    auto u = find_user_by_login(db, login);
    if (!u) return std::nullopt;
    return change_password(db, u->id, hash, {});
}

std::size_t change_password(SQLite::Database& db, std::int64_t user_id, const std::string& hash,
                            std::string_view keep_session_hash) {
    SQLite::Statement s(db, "UPDATE users SET password_hash = ? WHERE id = ?");
    s.bind(1, hash);
    s.bind(2, user_id);
    s.exec();
    return revoke_credentials(db, user_id, keep_session_hash);
}

bool disable_user(SQLite::Database& db, std::string_view login) {
    auto u = find_user_by_login(db, login);
    if (!u) return false;
    SQLite::Statement s(db, "UPDATE users SET disabled = 1 WHERE id = ?");
    s.bind(1, u->id);
    s.exec();
    revoke_credentials(db, u->id);
    return true;
}

bool enable_user(SQLite::Database& db, std::string_view login) {
    SQLite::Statement s(db, "UPDATE users SET disabled = 0 WHERE login = ?");
    s.bind(1, std::string(login));
    return s.exec() > 0;
}

std::vector<user> search_users(SQLite::Database& db, std::string_view text, std::size_t limit) {
    // instr on lower(): no LIKE wildcards to escape in what the admin typed.
    SQLite::Statement s(db, std::string("SELECT ") + user_columns +
                                " FROM users u WHERE ?1 = '' OR instr(lower(u.login), lower(?1)) > 0 "
                                "OR instr(lower(u.name), lower(?1)) > 0 ORDER BY u.login LIMIT ?2");
    s.bind(1, std::string(text));
    s.bind(2, static_cast<std::int64_t>(limit));
    std::vector<user> users;
    while (s.executeStep()) users.push_back(read_user(s));
    return users;
}

std::vector<user> teachers_of_school(SQLite::Database& db, std::string_view school_number) {
    SQLite::Statement s(db, std::string("SELECT ") + user_columns +
                                " FROM users u WHERE u.role = 'teacher' AND u.school_number = ? AND u.disabled = 0 "
                                "ORDER BY u.name, u.login");
    s.bind(1, std::string(school_number));
    std::vector<user> users;
    while (s.executeStep()) users.push_back(read_user(s));
    return users;
}

void set_user_language(SQLite::Database& db, std::int64_t user_id, std::optional<language> lang) {
    SQLite::Statement s(db, "UPDATE users SET language = ? WHERE id = ?");
    s.bind(1, lang ? std::string(to_string(*lang)) : std::string());
    s.bind(2, user_id);
    s.exec();
}

std::size_t count_users(SQLite::Database& db) {
    return static_cast<std::size_t>(db.execAndGet("SELECT count(*) FROM users").getInt64());
}

void insert_session(SQLite::Database& db, const std::string& token_hash, std::int64_t user_id,
                    const std::string& csrf_token, time_ms now, time_ms expires_at, std::string_view client) {
    SQLite::Statement s(db, "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, "
                            "last_seen_at, client) VALUES (?,?,?,?,?,?,?)");
    s.bind(1, token_hash);
    s.bind(2, user_id);
    s.bind(3, csrf_token);
    s.bind(4, now);
    s.bind(5, expires_at);
    s.bind(6, now);
    s.bind(7, std::string(client));
    s.exec();
}

std::optional<session_record> find_session(SQLite::Database& db, const std::string& token_hash, time_ms now) {
    static const auto sql = std::string("SELECT ") + user_columns +
                            ", s.csrf_token, s.created_at, COALESCE(s.last_seen_at, s.created_at), s.expires_at "
                            "FROM sessions s JOIN users u ON u.id = s.user_id "
                            "WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0";
    reused_statement s(db, sql);
    s->bind(1, token_hash);
    s->bind(2, now);
    if (!s->executeStep()) return std::nullopt;
    constexpr int c = user_column_count;
    return session_record{read_user(*s), s->getColumn(c).getString(), s->getColumn(c + 1).getInt64(),
                          s->getColumn(c + 2).getInt64(), s->getColumn(c + 3).getInt64()};
}

void touch_session(SQLite::Database& db, const std::string& token_hash, time_ms now) {
    SQLite::Statement s(db, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?");
    s.bind(1, now);
    s.bind(2, token_hash);
    s.exec();
}

void delete_session(SQLite::Database& db, const std::string& token_hash) {
    SQLite::Statement s(db, "DELETE FROM sessions WHERE token_hash = ?");
    s.bind(1, token_hash);
    s.exec();
}

void delete_expired_sessions(SQLite::Database& db, time_ms now) {
    SQLite::Statement s(db, "DELETE FROM sessions WHERE expires_at <= ?");
    s.bind(1, now);
    s.exec();
}

std::string credential_id_of(std::string_view token_hash) {
    return std::string(token_hash.substr(0, credential_id_length));
}

std::vector<credential_info> list_credentials(SQLite::Database& db, std::int64_t user_id, time_ms now) {
    SQLite::Statement s(db,
                        "SELECT token_hash, 0, client, created_at, COALESCE(last_seen_at, created_at), expires_at "
                        "FROM sessions WHERE user_id = ?1 AND expires_at > ?2 "
                        "UNION ALL SELECT token_hash, 1, label, created_at, COALESCE(last_used_at, 0), expires_at "
                        "FROM api_tokens WHERE user_id = ?1 AND expires_at > ?2 ORDER BY 2, 5 DESC, 4 DESC");
    s.bind(1, user_id);
    s.bind(2, now);
    std::vector<credential_info> list;
    while (s.executeStep())
        list.push_back({credential_id_of(s.getColumn(0).getString()), s.getColumn(1).getInt() != 0,
                        s.getColumn(2).getString(), s.getColumn(3).getInt64(), s.getColumn(4).getInt64(),
                        s.getColumn(5).getInt64()});
    return list;
}

bool revoke_credential(SQLite::Database& db, std::int64_t user_id, std::string_view id) {
    if (id.size() != credential_id_length) return false;
    int removed = 0;
    for (const char* table : {"sessions", "api_tokens"}) {
        SQLite::Statement s(db, fmt::format("DELETE FROM {} WHERE user_id = ? AND substr(token_hash, 1, {}) = ?",
                                            table, credential_id_length));
        s.bind(1, user_id);
        s.bind(2, std::string(id));
        removed += s.exec();
    }
    return removed > 0;
}

std::size_t revoke_credentials(SQLite::Database& db, std::int64_t user_id, std::string_view keep_session_hash) {
    SQLite::Statement sessions(db, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?");
    sessions.bind(1, user_id);
    sessions.bind(2, std::string(keep_session_hash));
    SQLite::Statement tokens(db, "DELETE FROM api_tokens WHERE user_id = ?");
    tokens.bind(1, user_id);
    return static_cast<std::size_t>(sessions.exec() + tokens.exec());
}

void insert_api_token(SQLite::Database& db, const std::string& token_hash, std::int64_t user_id, time_ms now,
                      time_ms expires_at, std::string_view label) {
    SQLite::Statement s(db, "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at, label) "
                            "VALUES (?,?,?,?,?)");
    s.bind(1, token_hash);
    s.bind(2, user_id);
    s.bind(3, now);
    s.bind(4, expires_at);
    s.bind(5, std::string(label));
    s.exec();
}

std::optional<api_token_record> find_api_token(SQLite::Database& db, const std::string& token_hash, time_ms now) {
    static const auto sql = std::string("SELECT ") + user_columns +
                            ", COALESCE(t.last_used_at, 0) FROM api_tokens t JOIN users u ON u.id = t.user_id "
                            "WHERE t.token_hash = ? AND t.expires_at > ? AND u.disabled = 0";
    reused_statement s(db, sql);
    s->bind(1, token_hash);
    s->bind(2, now);
    if (!s->executeStep()) return std::nullopt;
    return api_token_record{read_user(*s), s->getColumn(user_column_count).getInt64()};
}

void touch_api_token(SQLite::Database& db, const std::string& token_hash, time_ms now) {
    SQLite::Statement s(db, "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?");
    s.bind(1, now);
    s.bind(2, token_hash);
    s.exec();
}

void remember_device(SQLite::Database& db, const std::string& device_hash, std::int64_t user_id, time_ms now) {
    SQLite::Statement s(db, "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at) "
                            "VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET last_used_at = excluded.last_used_at");
    s.bind(1, device_hash);
    s.bind(2, user_id);
    s.bind(3, now);
    s.bind(4, now);
    s.exec();
}

bool is_known_device(SQLite::Database& db, const std::string& device_hash, std::int64_t user_id) {
    SQLite::Statement s(db, "SELECT 1 FROM known_devices WHERE token_hash = ? AND user_id = ?");
    s.bind(1, device_hash);
    s.bind(2, user_id);
    return s.executeStep();
}

void append_audit(SQLite::Database& db, time_ms at, std::int64_t actor_id, std::string_view action,
                  std::string_view subject, std::string_view detail) {
    SQLite::Statement s(db, "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?,?,?,?,?)");
    s.bind(1, at);
    s.bind(2, actor_id);
    s.bind(3, std::string(action));
    s.bind(4, std::string(subject));
    s.bind(5, std::string(detail));
    s.exec();
}

} // namespace campusdesk
