#include "storage/attachment_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace campusdesk {
namespace {

void write_all_and_sync(const std::filesystem::path& file, std::string_view data) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) throw std::runtime_error(fmt::format("cannot create {}", file.string()));
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error(fmt::format("cannot write {} (disk full?)", file.string()));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) throw std::runtime_error(fmt::format("cannot sync {}", file.string()));
}

void sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

std::filesystem::path blob_path(const std::filesystem::path& dir, const std::string& sha256) {
    return dir / sha256.substr(0, 2) / sha256;
}

std::string store_blob(const std::filesystem::path& dir, std::string_view data) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::string hex(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    hex.pop_back();
    const auto target = blob_path(dir, hex);
    if (std::filesystem::exists(target)) return hex;
    std::filesystem::create_directories(target.parent_path());
    const auto temporary = target.parent_path() / (hex + ".tmp");
    write_all_and_sync(temporary, data);
    std::filesystem::rename(temporary, target);
    sync_directory(target.parent_path());
    return hex;
}

std::int64_t insert_attachment(SQLite::Database& db, const attachment_record& a) {
    SQLite::Statement s(db, "INSERT INTO attachments (ticket_id, sha256, filename, content_type, size, uploaded_by, "
                            "uploaded_at) VALUES (?,?,?,?,?,?,?)");
    s.bind(1, a.ticket_id);
    s.bind(2, a.sha256);
    s.bind(3, a.filename);
    s.bind(4, a.content_type);
    s.bind(5, a.size);
    s.bind(6, a.uploaded_by);
    s.bind(7, a.uploaded_at);
    s.exec();
    return db.getLastInsertRowid();
}

namespace {
constexpr const char* columns = "id, ticket_id, sha256, filename, content_type, size, uploaded_by, uploaded_at";
attachment_record read_attachment(SQLite::Statement& s) {
    return {s.getColumn(0).getInt64(),  s.getColumn(1).getInt64(), s.getColumn(2).getString(),
            s.getColumn(3).getString(), s.getColumn(4).getString(), s.getColumn(5).getInt64(),
            s.getColumn(6).getInt64(),  s.getColumn(7).getInt64()};
}
} // namespace

std::vector<attachment_record> load_attachments(SQLite::Database& db, std::int64_t ticket_id) {
    static const auto sql = fmt::format("SELECT {} FROM attachments WHERE ticket_id = ? ORDER BY id", columns);
    reused_statement s(db, sql);
    s->bind(1, ticket_id);
    std::vector<attachment_record> result;
    while (s->executeStep()) result.push_back(read_attachment(*s));
    return result;
}

std::optional<attachment_record> find_attachment(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement s(db, fmt::format("SELECT {} FROM attachments WHERE id = ?", columns));
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_attachment(s);
}

} // namespace campusdesk
