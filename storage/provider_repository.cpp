#include "storage/provider_repository.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <array>
#include <stdexcept>

namespace campusdesk {
namespace {

// Appended only, as storage/database.cpp's migrations.
constexpr std::array<const char*, 1> provider_migrations{
    R"sql(
CREATE TABLE provider_admins (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE provider_sessions (
    token_digest TEXT PRIMARY KEY,
    admin_id INTEGER NOT NULL REFERENCES provider_admins(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE provider_audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    login TEXT NOT NULL,
    action TEXT NOT NULL,
    tenant TEXT NOT NULL
);
)sql"};

} // namespace

SQLite::Database open_provider_database(const std::filesystem::path& file) {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.setBusyTimeout(5000);
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > static_cast<int>(provider_migrations.size()))
        throw std::runtime_error(fmt::format("{}: schema {} is newer than this campusdesk ({})", file.string(), version,
                                             provider_migrations.size()));
    for (; version < static_cast<int>(provider_migrations.size()); ++version) {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        db.exec(provider_migrations[static_cast<std::size_t>(version)]);
        db.exec(fmt::format("PRAGMA user_version = {}", version + 1));
        tx.commit();
    }
    return db;
}

bool add_provider_admin(SQLite::Database& db, const std::string& login, const std::string& password_hash, time_ms now) {
    SQLite::Statement q(db, "INSERT OR IGNORE INTO provider_admins (login, password_hash, created_at) VALUES (?, ?, ?)");
    q.bind(1, login);
    q.bind(2, password_hash);
    q.bind(3, static_cast<std::int64_t>(now));
    return q.exec() == 1;
}

std::optional<provider_admin> find_provider_admin(SQLite::Database& db, const std::string& login) {
    SQLite::Statement q(db, "SELECT id, login, password_hash FROM provider_admins WHERE login = ?");
    q.bind(1, login);
    if (!q.executeStep()) return std::nullopt;
    return provider_admin{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString()};
}

void insert_provider_session(SQLite::Database& db, const std::string& digest, std::int64_t admin_id,
                             const std::string& csrf_token, time_ms now, time_ms expires_at) {
    SQLite::Statement q(db, "INSERT INTO provider_sessions (token_digest, admin_id, csrf_token, created_at, "
                            "last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
    q.bind(1, digest);
    q.bind(2, admin_id);
    q.bind(3, csrf_token);
    q.bind(4, static_cast<std::int64_t>(now));
    q.bind(5, static_cast<std::int64_t>(now));
    q.bind(6, static_cast<std::int64_t>(expires_at));
    q.exec();
}

std::optional<provider_session> find_provider_session(SQLite::Database& db, const std::string& digest, time_ms now) {
    SQLite::Statement q(db, "SELECT a.login, s.csrf_token, s.created_at, s.last_seen_at FROM provider_sessions s "
                            "JOIN provider_admins a ON a.id = s.admin_id WHERE s.token_digest = ? AND s.expires_at > ?");
    q.bind(1, digest);
    q.bind(2, static_cast<std::int64_t>(now));
    if (!q.executeStep()) return std::nullopt;
    return provider_session{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                            q.getColumn(3).getInt64()};
}

void touch_provider_session(SQLite::Database& db, const std::string& digest, time_ms now) {
    SQLite::Statement q(db, "UPDATE provider_sessions SET last_seen_at = ? WHERE token_digest = ?");
    q.bind(1, static_cast<std::int64_t>(now));
    q.bind(2, digest);
    q.exec();
}

void delete_provider_session(SQLite::Database& db, const std::string& digest) {
    SQLite::Statement q(db, "DELETE FROM provider_sessions WHERE token_digest = ?");
    q.bind(1, digest);
    q.exec();
}

void delete_expired_provider_sessions(SQLite::Database& db, time_ms now) {
    SQLite::Statement q(db, "DELETE FROM provider_sessions WHERE expires_at <= ?");
    q.bind(1, static_cast<std::int64_t>(now));
    q.exec();
}

void append_provider_audit(SQLite::Database& db, time_ms at, const std::string& login, const std::string& action,
                           const std::string& tenant) {
    SQLite::Statement q(db, "INSERT INTO provider_audit (at, login, action, tenant) VALUES (?, ?, ?, ?)");
    q.bind(1, static_cast<std::int64_t>(at));
    q.bind(2, login);
    q.bind(3, action);
    q.bind(4, tenant);
    q.exec();
}

} // namespace campusdesk
