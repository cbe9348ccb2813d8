// Backup and restore of a data directory (issue 20): the database and the attachments it names, in one SQLite file.
// The backup is the database itself (it opens like any campusdesk database) with one more table,
// backup_attachments, holding each named attachment's bytes by SHA-256. It is taken online: SQLite's backup API
// copies one consistent snapshot while the server keeps writing, so every ticket acknowledged before the backup
// began is in it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace campusdesk {

// What a backup holds, counted in it.
struct backup_summary {
    int schema = 0;                    // PRAGMA user_version
    std::int64_t tickets = 0;
    std::int64_t events = 0;
    std::int64_t users = 0;
    std::int64_t attachments = 0;      // distinct files (by content)
    std::int64_t attachment_bytes = 0;
};

// Writes a backup of the database `db_file` and the attachments it names (from `attachments_dir`) to `out`:
// first to out + ".tmp", then renamed, so `out` is only ever a whole backup. Throws if an attachment the snapshot
// names is missing or its bytes do not match its hash.
backup_summary write_backup(const std::filesystem::path& db_file, const std::filesystem::path& attachments_dir,
                            const std::filesystem::path& out);

// Puts the backup `file` into the data directory `data_dir`, which must hold no database and no attachments:
// checks the backup's integrity and schema, writes every attachment back under its hash (each verified), and the
// database without the backup's own table. Throws with the reason if anything does not hold; nothing is left in
// `data_dir` then but what was verified.
backup_summary restore_backup(const std::filesystem::path& file, const std::filesystem::path& data_dir);

} // namespace campusdesk
