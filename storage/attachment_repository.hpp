// Attachments: the files under the data dir, named by their SHA-256, and their metadata in SQLite.
#pragma once

#include "core/ticket.hpp"

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

struct attachment_record {
    std::int64_t id = 0;
    std::int64_t ticket_id = 0;
    std::string sha256;
    std::string filename;
    std::string content_type;
    std::int64_t size = 0;
    std::int64_t uploaded_by = 0;
    time_ms uploaded_at = 0;
};

// The SHA-256 of the bytes in lower-case hex: the name a blob is stored under.
std::string sha256_hex(std::string_view data);
// Writes the bytes durably (temporary file, fsync, rename) as dir/ab/abcdef…; returns the SHA-256 in hex.
// The same content is stored once; storing it again makes it new for remove_orphan_blobs.
std::string store_blob(const std::filesystem::path& dir, std::string_view data);
// Removes blobs that no attachment row names, and left-over temporary files, if older than `min_age` (younger
// ones may belong to an upload about to be recorded). Returns how many files were removed.
std::size_t remove_orphan_blobs(SQLite::Database& db, const std::filesystem::path& dir,
                                std::chrono::seconds min_age);
std::filesystem::path blob_path(const std::filesystem::path& dir, const std::string& sha256);

std::int64_t insert_attachment(SQLite::Database& db, const attachment_record& a);
std::vector<attachment_record> load_attachments(SQLite::Database& db, std::int64_t ticket_id);
std::optional<attachment_record> find_attachment(SQLite::Database& db, std::int64_t id);

} // namespace campusdesk
