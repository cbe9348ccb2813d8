#include "server/mail/notifier.hpp"

#include "core/dispatch_rules.hpp"
#include "core/local_time.hpp"
#include "storage/board_repository.hpp"
#include "storage/directory_repository.hpp"
#include "storage/mail_repository.hpp"
#include "storage/settings_repository.hpp"
#include "storage/ticket_repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace campusdesk {
namespace {

bool is_manager_kind(mail_kind k) {
    const auto kinds = mail_kinds_for(role::campus_manager);
    return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
}

std::size_t queue_for(SQLite::Database& db, const mail_recipient& r, const notice& n, std::int64_t ticket_id,
                      time_ms now) {
    if (r.disabled || r.email.empty() || (r.mail_off & mail_bit(n.kind)) != 0) return 0;
    const bool held = r.digest && r.who == role::campus_manager && is_manager_kind(n.kind);
    insert_outbox(db, {n.kind, ticket_id, n.event_seq, r.user_id, "", held ? outbox_state::held : outbox_state::pending},
                  now);
    return 1;
}

// Queues `kind` for every ticket of `ids` not yet marked for it (marks it).
std::size_t queue_time_kind(const mail_config& mail, SQLite::Database& db, mail_kind kind,
                            const std::vector<std::int64_t>& ids, bool baseline, time_ms now) {
    std::size_t queued = 0;
    const auto absences = ids.empty() ? std::vector<absence>{} : load_absences(db);
    for (const auto id : ids) {
        if (!mark_notice_once(db, id, kind, now) || baseline) continue;
        const auto t = find_ticket_by_id(db, id);
        if (!t) continue;
        const auto notices = notices_for_time(kind, *t, absences, now);
        queued += queue_notices(mail, db, notices, id, now);
    }
    return queued;
}

} // namespace

std::size_t queue_notices(const mail_config& mail, SQLite::Database& db, std::span<const notice> notices,
                          std::int64_t ticket_id, time_ms now) {
    if (!mail.enabled) return 0;
    std::size_t queued = 0;
    for (const auto& n : notices) {
        switch (n.to.who) {
        case notice_target::kind::user:
            if (auto r = find_mail_recipient(db, n.to.id)) queued += queue_for(db, *r, n, ticket_id, now);
            break;
        case notice_target::kind::manager:
            if (auto r = find_manager_recipient(db, n.to.id)) queued += queue_for(db, *r, n, ticket_id, now);
            break;
        case notice_target::kind::help_desk:
            for (const auto& r : help_desk_recipients(db)) queued += queue_for(db, r, n, ticket_id, now);
            break;
        }
    }
    return queued;
}

std::size_t notify_events(const mail_config& mail, SQLite::Database& db, const ticket& t,
                          std::span<const ticket_event> events, const notice_actor& actor,
                          std::span<const absence> absences, time_ms now) {
    if (!mail.enabled) return 0;
    const auto notices = notices_for_events(t, events, actor, absences, now);
    return queue_notices(mail, db, notices, t.id, now);
}

std::size_t queue_time_notices(const mail_config& mail, const business_calendar& calendar, SQLite::Database& db,
                               time_ms now, int at_most) {
    if (!mail.enabled) return 0;
    // Tickets already past a threshold when mail was switched on are old news: marked, not mailed.
    const bool baseline = !load_setting(db, "mail_time_notices");
    if (baseline) at_most = std::numeric_limits<int>::max();  // note all of them at once
    std::size_t queued = 0;
    queued += queue_time_kind(mail, db, mail_kind::sla_breach, unmarked_breached(db, calendar, now, at_most), baseline,
                              now);
    queued += queue_time_kind(mail, db, mail_kind::sla_warning, unmarked_at_risk(db, calendar, now, at_most),
                              baseline, now);
    const time_ms unseen_after = time_ms{mail.unseen_minutes} * 60 * 1000;
    queued += queue_time_kind(mail, db, mail_kind::unseen, unmarked_unseen(db, now - unseen_after, at_most), baseline,
                              now);
    std::vector<std::int64_t> outage_tickets;  // each suspicion by its first ticket
    for (const auto& o : detect_outages(load_open_since(db, now - outage_window_ms)))
        if (auto first = find_ticket(db, o.tickets.front())) outage_tickets.push_back(first->id);
    queued += queue_time_kind(mail, db, mail_kind::outage, outage_tickets, baseline, now);
    save_setting(db, "mail_time_notices", std::to_string(now));

    // The digests once a day, at the first run in or after the configured hour.
    const auto today = local_date_of(now, calendar.zone());
    const auto day = fmt::format("{:04}-{:02}-{:02}", today.year, today.month, today.day);
    const time_ms since_midnight = now - local_day_start(today, calendar.zone());
    if (since_midnight >= time_ms{mail.digest_hour} * 3600 * 1000 && load_setting(db, "mail_digest_day") != day) {
        for (const auto recipient : recipients_with_held_mail(db)) queued += queue_digest(db, recipient, now) ? 1 : 0;
        save_setting(db, "mail_digest_day", day);
    }
    return queued;
}

} // namespace campusdesk
