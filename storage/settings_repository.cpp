#include "storage/settings_repository.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Savepoint.h>
#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace campusdesk {

std::string load_or_create_secret(SQLite::Database& db, std::string_view name, std::size_t bytes) {
    const std::string key = "secret:" + std::string(name);
    // A savepoint: alone it is a transaction, inside the writer's (write_queue::run) it nests.
    SQLite::Savepoint tx(db, "load_or_create_secret");
    SQLite::Statement read(db, "SELECT value FROM settings WHERE name = ?");
    read.bind(1, key);
    if (read.executeStep()) {
        std::string hex = read.getColumn(0).getString();
        std::string secret(hex.size() / 2, '\0');
        std::size_t length = 0;
        if (sodium_hex2bin(reinterpret_cast<unsigned char*>(secret.data()), secret.size(), hex.data(), hex.size(),
                           nullptr, &length, nullptr) != 0 || length != bytes)
            throw std::runtime_error("settings: secret " + key + " is damaged");
        return secret;
    }
    std::string secret(bytes, '\0');
    randombytes_buf(secret.data(), secret.size());
    std::string hex(bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    hex.pop_back();
    SQLite::Statement write(db, "INSERT INTO settings (name, value) VALUES (?, ?)");
    write.bind(1, key);
    write.bind(2, hex);
    write.exec();
    tx.release();
    return secret;
}

std::optional<std::string> load_setting(SQLite::Database& db, std::string_view name) {
    SQLite::Statement s(db, "SELECT value FROM settings WHERE name = ?");
    s.bind(1, std::string(name));
    if (!s.executeStep()) return std::nullopt;
    return s.getColumn(0).getString();
}

void save_setting(SQLite::Database& db, std::string_view name, std::string_view value) {
    SQLite::Statement s(db, "INSERT INTO settings (name, value) VALUES (?, ?) "
                            "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    s.bind(1, std::string(name));
    s.bind(2, std::string(value));
    s.exec();
}

} // namespace campusdesk
