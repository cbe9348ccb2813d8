#include "storage/user_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

namespace campusdesk {
namespace {

constexpr const char* user_columns =
    "u.id, u.login, u.name, u.role, COALESCE(u.school_number, ''), COALESCE(u.manager_id, 0), u.password_hash, "
    "u.disabled";

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

std::int64_t insert_user(SQLite::Database& db, const user& u, time_ms now) {
    SQLite::Statement s(db, "INSERT INTO users (login, name, role, school_number, manager_id, password_hash, "
                            "disabled, created_at) VALUES (?,?,?,?,?,?,?,?)");
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
    s.exec();
    return db.getLastInsertRowid();
}

bool set_password_hash(SQLite::Database& db, std::string_view login, const std::string& hash) {
    SQLite::Statement s(db, "UPDATE users SET password_hash = ? WHERE login = ?");
    s.bind(1, hash);
    s.bind(2, std::string(login));
    return s.exec() == 1;
}

bool disable_user(SQLite::Database& db, std::string_view login) {
    SQLite::Statement s(db, "UPDATE users SET disabled = 1 WHERE login = ?");
    s.bind(1, std::string(login));
    if (s.exec() != 1) return false;
    for (const char* table : {"sessions", "api_tokens"}) {
        SQLite::Statement d(db, std::string("DELETE FROM ") + table +
                                    " WHERE user_id = (SELECT id FROM users WHERE login = ?)");
        d.bind(1, std::string(login));
        d.exec();
    }
    return true;
}

std::size_t count_users(SQLite::Database& db) {
    return static_cast<std::size_t>(db.execAndGet("SELECT count(*) FROM users").getInt64());
}

void insert_session(SQLite::Database& db, const std::string& token_hash, std::int64_t user_id,
                    const std::string& csrf_token, time_ms now, time_ms expires_at) {
    SQLite::Statement s(db, "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
                            "VALUES (?,?,?,?,?)");
    s.bind(1, token_hash);
    s.bind(2, user_id);
    s.bind(3, csrf_token);
    s.bind(4, now);
    s.bind(5, expires_at);
    s.exec();
}

std::optional<session_record> find_session(SQLite::Database& db, const std::string& token_hash, time_ms now) {
    static const auto sql = std::string("SELECT ") + user_columns +
                            ", s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
                            "WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0";
    reused_statement s(db, sql);
    s->bind(1, token_hash);
    s->bind(2, now);
    if (!s->executeStep()) return std::nullopt;
    return session_record{read_user(*s), s->getColumn(8).getString(), s->getColumn(9).getInt64()};
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

void insert_api_token(SQLite::Database& db, const std::string& token_hash, std::int64_t user_id, time_ms now) {
    SQLite::Statement s(db, "INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES (?,?,?)");
    s.bind(1, token_hash);
    s.bind(2, user_id);
    s.bind(3, now);
    s.exec();
}

std::optional<user> find_user_by_api_token(SQLite::Database& db, const std::string& token_hash) {
    SQLite::Statement s(db, std::string("SELECT ") + user_columns +
                                " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                "WHERE t.token_hash = ? AND u.disabled = 0");
    s.bind(1, token_hash);
    if (!s.executeStep()) return std::nullopt;
    return read_user(s);
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
