#include "storage/backup.hpp"

#include "storage/attachment_repository.hpp"
#include "storage/database.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace campusdesk {
namespace {

backup_summary count(SQLite::Database& db) {
    backup_summary s;
    s.schema = db.execAndGet("PRAGMA user_version").getInt();
    s.tickets = db.execAndGet("SELECT COUNT(*) FROM tickets").getInt64();
    s.events = db.execAndGet("SELECT COUNT(*) FROM ticket_events").getInt64();
    s.users = db.execAndGet("SELECT COUNT(*) FROM users").getInt64();
    return s;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("attachment {} is missing", path.filename().string()));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return std::move(bytes).str();
}

std::filesystem::path temporary_of(const std::filesystem::path& file) {
    auto t = file;
    t += ".tmp";
    return t;
}

} // namespace

backup_summary write_backup(const std::filesystem::path& db_file, const std::filesystem::path& attachments_dir,
                            const std::filesystem::path& out) {
    const auto temporary = temporary_of(out);
    std::filesystem::remove(temporary);
    {
        SQLite::Database source(db_file.string(), SQLite::OPEN_READONLY);
        source.setBusyTimeout(5000);
        // One step over all pages: one read transaction, one consistent snapshot.
        source.backup(temporary.c_str(), SQLite::Database::Save);
    }
    backup_summary summary;
    {
        SQLite::Database copy(temporary.string(), SQLite::OPEN_READWRITE);
        // The copy keeps the source's WAL mode; one self-contained file is what a backup should be.
        copy.exec("PRAGMA journal_mode = DELETE");
        SQLite::Transaction tx(copy);
        copy.exec("CREATE TABLE backup_attachments (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)");
        SQLite::Statement named(copy, "SELECT DISTINCT sha256 FROM attachments ORDER BY sha256");
        SQLite::Statement insert(copy, "INSERT INTO backup_attachments (sha256, data) VALUES (?, ?)");
        while (named.executeStep()) {
            const auto sha = named.getColumn(0).getString();
            const auto bytes = read_file(blob_path(attachments_dir, sha));
            if (sha256_hex(bytes) != sha)
                throw std::runtime_error(fmt::format("attachment {} does not match its hash", sha));
            insert.bind(1, sha);
            insert.bind(2, bytes.data(), static_cast<int>(bytes.size()));
            insert.exec();
            insert.reset();
            ++summary.attachments;
            summary.attachment_bytes += static_cast<std::int64_t>(bytes.size());
        }
        tx.commit();
        const auto counted = count(copy);
        summary.schema = counted.schema;
        summary.tickets = counted.tickets;
        summary.events = counted.events;
        summary.users = counted.users;
    }
    std::filesystem::rename(temporary, out);
    return summary;
}

backup_summary restore_backup(const std::filesystem::path& file, const std::filesystem::path& data_dir) {
    const auto target = database_file(data_dir);
    const auto attachments_dir = data_dir / "attachments";
    for (const auto& taken : {target, std::filesystem::path(target.string() + "-wal")})
        if (std::filesystem::exists(taken))
            throw std::runtime_error(fmt::format("{} already holds a database: restore only into an empty data directory",
                                                 data_dir.string()));
    if (std::filesystem::exists(attachments_dir) && !std::filesystem::is_empty(attachments_dir))
        throw std::runtime_error(fmt::format("{} already holds attachments: restore only into an empty data directory",
                                             data_dir.string()));
    if (!std::filesystem::exists(file)) throw std::runtime_error(fmt::format("no backup at {}", file.string()));

    SQLite::Database backup(file.string(), SQLite::OPEN_READONLY);
    if (const auto check = backup.execAndGet("PRAGMA integrity_check").getString(); check != "ok")
        throw std::runtime_error(fmt::format("the backup is damaged (integrity check: {})", check));
    auto summary = count(backup);
    if (summary.schema > schema_version)
        throw std::runtime_error(fmt::format("the backup has schema {}, newer than this campusdesk's {}: restore it "
                                             "with the campusdesk that made it",
                                             summary.schema, schema_version));
    if (!backup.tableExists("backup_attachments"))
        throw std::runtime_error("the file holds no attachments: it is not a campusdesk backup (or one made before "
                                 "backups included them)");
    const auto missing = backup.execAndGet("SELECT COUNT(DISTINCT sha256) FROM attachments WHERE sha256 NOT IN "
                                           "(SELECT sha256 FROM backup_attachments)")
                             .getInt64();
    if (missing > 0) throw std::runtime_error(fmt::format("{} attachments are missing from the backup", missing));

    std::filesystem::create_directories(data_dir);
    SQLite::Statement blobs(backup, "SELECT sha256, data FROM backup_attachments ORDER BY sha256");
    while (blobs.executeStep()) {
        const auto sha = blobs.getColumn(0).getString();
        const auto data = blobs.getColumn(1);
        const std::string_view bytes(static_cast<const char*>(data.getBlob()), static_cast<std::size_t>(data.getBytes()));
        if (store_blob(attachments_dir, bytes) != sha)
            throw std::runtime_error(fmt::format("attachment {} in the backup does not match its hash", sha));
        ++summary.attachments;
        summary.attachment_bytes += static_cast<std::int64_t>(bytes.size());
    }

    const auto temporary = temporary_of(target);
    std::filesystem::remove(temporary);
    backup.backup(temporary.c_str(), SQLite::Database::Save);
    {
        SQLite::Database restored(temporary.string(), SQLite::OPEN_READWRITE);
        restored.exec("DROP TABLE backup_attachments");
        restored.exec("VACUUM");
    }
    std::filesystem::rename(temporary, target);
    return summary;
}

} // namespace campusdesk
