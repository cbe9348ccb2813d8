#include "storage/attachment_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <mutex>
#include <unordered_set>
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

// store_blob's "it is there, so it is in use again" and remove_orphan_blobs' "old and unnamed, so remove it" must
// not interleave, or a blob could vanish between an upload finding it and recording it.
std::mutex blob_use_mutex;

bool is_blob_name(std::string_view name) {
    if (name.ends_with(".tmp")) name.remove_suffix(4);
    return name.size() == crypto_hash_sha256_BYTES * 2 &&
           name.find_first_not_of("0123456789abcdef") == std::string_view::npos;
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

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::string hex(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    hex.pop_back();
    return hex;
}

std::string store_blob(const std::filesystem::path& dir, std::string_view data) {
    const auto hex = sha256_hex(data);
    const auto target = blob_path(dir, hex);
    {
        std::lock_guard lock(blob_use_mutex);
        if (std::filesystem::exists(target)) {
            std::filesystem::last_write_time(target, std::filesystem::file_time_type::clock::now());
            return hex;
        }
    }
    std::filesystem::create_directories(target.parent_path());
    const auto temporary = target.parent_path() / (hex + ".tmp");
    write_all_and_sync(temporary, data);
    std::filesystem::rename(temporary, target);
    sync_directory(target.parent_path());
    return hex;
}

std::size_t remove_orphan_blobs(SQLite::Database& db, const std::filesystem::path& dir,
                                std::chrono::seconds min_age) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && is_blob_name(it->path().filename().string())) files.push_back(it->path());
    if (files.empty()) return 0;
    // Read before the files are looked at: a blob recorded later was stored again first, so it is young.
    std::unordered_set<std::string> named;
    SQLite::Statement s(db, "SELECT DISTINCT sha256 FROM attachments");
    while (s.executeStep()) named.insert(s.getColumn(0).getString());
    const auto cutoff = fs::file_time_type::clock::now() - min_age;
    std::size_t removed = 0;
    for (const auto& file : files) {
        std::lock_guard lock(blob_use_mutex);
        const auto written = fs::last_write_time(file, ec);
        if (ec || written > cutoff) continue;
        if (file.extension() != ".tmp" && named.contains(file.filename().string())) continue;
        if (fs::remove(file, ec)) ++removed;
    }
    return removed;
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
