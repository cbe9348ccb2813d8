#include "server/privacy/retention.hpp"

#include "core/local_time.hpp"
#include "server/http/log.hpp"
#include "storage/attachment_repository.hpp"
#include "storage/retention_repository.hpp"
#include "storage/settings_repository.hpp"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

namespace campusdesk {
namespace {

constexpr time_ms day_ms = 24 * 3600 * 1000;
constexpr int tickets_per_batch = 500;
// An upload stores its files a moment before it records them: younger files are left alone.
constexpr auto orphan_min_age = std::chrono::hours(1);

// The cut-off `days` before `now`; nullopt for 0 (kept for ever).
std::optional<time_ms> before(int days, time_ms now) {
    if (days <= 0) return std::nullopt;
    return now - time_ms{days} * day_ms;
}

// The rules other than anonymisation: one statement each, in the first batch.
retention_counts prune(SQLite::Database& db, const retention_config& rules, time_ms now) {
    retention_counts c;
    if (const auto t = before(rules.attachments_after_days, now)) c.attachments = remove_closed_attachments(db, *t);
    c.sessions = remove_expired_sessions(db, now);
    if (const auto t = before(rules.audit_log_days, now)) c.audit = remove_audit_before(db, *t);
    if (const auto t = before(rules.mail_days, now)) c.mail = remove_mail_before(db, *t);
    // Maintenance work is the staff's, like their replies: after the tickets' period it keeps the note, not the name.
    if (const auto t = before(rules.anonymise_closed_after_days, now))
        c.maintenance = anonymise_maintenance_before(db, *t, now);
    return c;
}

// The next batch of tickets to anonymise; the number done.
std::int64_t anonymise_batch(SQLite::Database& db, const retention_config& rules, time_ms now) {
    const auto t = before(rules.anonymise_closed_after_days, now);
    if (!t) return 0;
    const auto ids = tickets_to_anonymise(db, *t, tickets_per_batch);
    anonymise_tickets(db, ids, now);
    return static_cast<std::int64_t>(ids.size());
}

} // namespace

retention_counts& retention_counts::operator+=(const retention_counts& o) {
    anonymised += o.anonymised;
    attachments += o.attachments;
    sessions += o.sessions;
    audit += o.audit;
    mail += o.mail;
    files += o.files;
    maintenance += o.maintenance;
    return *this;
}

std::string describe(const retention_counts& c) {
    return fmt::format("{} tickets anonymised, {} attachments and {} files removed, {} expired sessions and tokens, "
                       "{} audit entries, {} mail rows removed, {} maintenance rows anonymised",
                       c.anonymised, c.attachments, c.files, c.sessions, c.audit, c.mail, c.maintenance);
}

retention_counts apply_retention(write_queue& writer, const retention_config& rules,
                                 const std::filesystem::path& attachments_dir, time_ms now) {
    auto total = writer.run([&](SQLite::Database& db) { return prune(db, rules, now); });
    for (std::int64_t done = tickets_per_batch; done == tickets_per_batch;) {
        done = writer.run([&](SQLite::Database& db) { return anonymise_batch(db, rules, now); });
        total.anonymised += done;
    }
    total.files = static_cast<std::int64_t>(
        writer.run([&](SQLite::Database& db) { return remove_orphan_blobs(db, attachments_dir, orphan_min_age); }));
    return total;
}

net::awaitable<void> apply_retention_daily(app& a, net::steady_timer& timer, std::chrono::milliseconds period) {
    const auto& rules = a.config.retention;
    for (;;) {
        try {
            const time_ms now = now_ms();
            const auto zone = a.calendar.zone();
            const auto today = local_date_of(now, zone);
            const auto due = local_day_start(today, zone) + time_ms{rules.hour} * 3600 * 1000;
            const auto day = fmt::format("{:04}-{:02}-{:02}", today.year, today.month, today.day);
            const bool run = now >= due && co_await a.storage->read([&](SQLite::Database& db) {
                return load_setting(db, "retention_day") != day;
            });
            if (run) {
                auto total = co_await a.storage->write([&](SQLite::Database& db) {
                    save_setting(db, "retention_day", day);
                    return prune(db, rules, now);
                });
                for (std::int64_t done = tickets_per_batch; done == tickets_per_batch;) {
                    done = co_await a.storage->write([&](SQLite::Database& db) { return anonymise_batch(db, rules, now); });
                    total.anonymised += done;
                }
                const auto dir = a.data_dir / "attachments";
                total.files = static_cast<std::int64_t>(co_await a.storage->read(
                    [&](SQLite::Database& db) { return remove_orphan_blobs(db, dir, orphan_min_age); }));
                log_line(log_level::info, "retention applied",
                         {{"anonymised", total.anonymised}, {"attachments", total.attachments}, {"files", total.files},
                          {"sessions", total.sessions}, {"audit", total.audit}, {"mail", total.mail},
                          {"maintenance", total.maintenance}});
            }
        } catch (const std::exception& e) {
            log_line(log_level::warning, "retention not applied, tried again later", {{"error", e.what()}});
        }
        timer.expires_after(period);
        auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
    }
}

} // namespace campusdesk
