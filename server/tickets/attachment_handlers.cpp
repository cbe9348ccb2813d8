#include "server/tickets/attachment_handlers.hpp"

#include "core/attachment_rules.hpp"
#include "server/http/log.hpp"
#include "server/http/multipart.hpp"
#include "server/http/responses.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace campusdesk {

bool is_multipart(const http_request& req) {
    return multipart_boundary(req[http::field::content_type]).has_value();
}

outcome<received_file> check_attachment_file(const app& a, std::string data, std::string_view filename) {
    const auto& limits = a.config.limits;
    if (data.size() > limits.max_upload_bytes)
        return request_error{http::status::payload_too_large, "file_too_large",
                             fmt::format("„{}“ ist größer als {} MB.", safe_file_name(filename, "bin"),
                                         limits.max_upload_bytes / (1024 * 1024)),
                             "files", {}};
    const auto type = sniff_file_type(data);
    if (!type)
        return request_error{http::status::unsupported_media_type, "unsupported_file_type",
                             fmt::format("„{}“ ist kein Foto (JPEG, PNG, HEIC) und kein PDF.",
                                         safe_file_name(filename, "bin")),
                             "files", {}};
    return received_file{std::move(data), safe_file_name(filename, type->extension), type->mime};
}

outcome<upload_batch> receive_uploads(const app& a, const http_request& req) {
    const auto boundary = multipart_boundary(req[http::field::content_type]);
    if (!boundary)
        return request_error{http::status::unsupported_media_type, "unsupported_media_type",
                             "Erwartet wird multipart/form-data.", "", {}};
    const auto& limits = a.config.limits;
    auto parts = parse_multipart(req.body(), *boundary, limits.max_files_per_upload + 32);
    if (!parts)
        return request_error{http::status::bad_request, "malformed_upload",
                             "Die Übertragung der Dateien ist beschädigt. Bitte erneut versuchen.", "files", {}};
    upload_batch batch;
    for (auto& part : *parts) {
        if (part.filename.empty() && part.name != "files") {
            if (part.data.size() > limits.max_body_bytes)
                return request_error{http::status::payload_too_large, "too_large", "Ein Feld ist zu groß.", part.name, {}};
            batch.fields[part.name] = part.data;
            continue;
        }
        if (part.name != "files") continue;
        if (part.filename.empty() && part.data.empty()) continue;  // the browser's "no file chosen"
        auto file = check_attachment_file(a, std::move(part.data), part.filename);
        if (auto* refused = std::get_if<request_error>(&file)) return std::move(*refused);
        batch.files.push_back(std::move(std::get<received_file>(file)));
    }
    if (batch.files.size() > limits.max_files_per_upload)
        return request_error{http::status::unprocessable_entity, "too_many_files",
                             fmt::format("Höchstens {} Dateien auf einmal.", limits.max_files_per_upload), "files", {}};
    return batch;
}

net::awaitable<std::vector<attachment_record>> store_uploads(app& a, const user& who,
                                                             const std::vector<received_file>& files) {
    const auto dir = a.data_dir / "attachments";
    const time_ms now = now_ms();
    // Writing and syncing files is blocking I/O: off the io threads.
    co_return co_await a.storage->compute([&] {
        std::vector<attachment_record> stored;
        for (const auto& file : files) {
            attachment_record r;
            r.sha256 = store_blob(dir, file.data);
            r.filename = file.filename;
            r.content_type = std::string(file.content_type);
            r.size = static_cast<std::int64_t>(file.data.size());
            r.uploaded_by = who.id;
            r.uploaded_at = now;
            stored.push_back(std::move(r));
        }
        return stored;
    });
}

net::awaitable<void> remove_orphan_files_periodically(app& a, net::steady_timer& timer,
                                                      std::chrono::milliseconds period) {
    // An upload stores its files a moment before it records them; an hour is far beyond that moment.
    constexpr auto min_age = std::chrono::hours(1);
    const auto dir = a.data_dir / "attachments";
    for (;;) {
        try {
            const auto removed =
                co_await a.storage->read([&](SQLite::Database& db) { return remove_orphan_blobs(db, dir, min_age); });
            if (removed > 0) log_line(log_level::info, "removed orphan attachment files", {{"count", removed}});
        } catch (const std::exception& e) {
            log_line(log_level::warning, "orphan attachment files not removed", {{"error", e.what()}});
        }
        timer.expires_after(period);
        auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
    }
}

net::awaitable<http_response> serve_attachment(app& a, const auth_state& auth, const std::string& id_text) {
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    auto missing = [] { return text_response(http::status::not_found, "Nicht gefunden", "text/plain; charset=utf-8"); };
    if (ec != std::errc{} || p != id_text.data() + id_text.size() || !auth.who) co_return missing();
    const time_ms now = now_ms();
    auto found = co_await a.storage->read([&](SQLite::Database& db) -> std::optional<attachment_record> {
        auto file = find_attachment(db, id);
        if (!file) return std::nullopt;
        auto t = find_ticket_by_id(db, file->ticket_id);
        if (!t) return std::nullopt;
        const auto* school = a.dir.school(t->school_number);
        if (!can_see(current_viewer(a, db, *auth.who, now), *t, school ? school->manager_id : 0,
                     a.config.teachers_see_school_tickets))
            return std::nullopt;
        return file;
    });
    if (!found) co_return missing();
    const auto path = blob_path(a.data_dir / "attachments", found->sha256);
    auto body = co_await a.storage->compute([&] {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    });
    auto res = text_response(http::status::ok, std::move(body), found->content_type);
    // Inline for what browsers show safely (images, PDF); the name is given RFC 6266-style for umlauts.
    std::string ascii;
    for (unsigned char c : found->filename) ascii += c < 0x80 ? static_cast<char>(c) : '_';
    std::string encoded;
    for (unsigned char c : found->filename) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') encoded += static_cast<char>(c);
        else encoded += fmt::format("%{:02X}", c);
    }
    res.set(http::field::content_disposition,
            fmt::format("inline; filename=\"{}\"; filename*=UTF-8''{}", ascii, encoded));
    // A shared iPad's next user must not find the photo in the browser's cache.
    res.set(http::field::cache_control, "no-store");
    co_return res;
}

} // namespace campusdesk
