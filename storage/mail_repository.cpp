#include "storage/mail_repository.hpp"

#include "storage/sla_filters.hpp"
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

namespace campusdesk {
namespace {

constexpr const char* recipient_columns = "id, role, email, mail_off, mail_digest, disabled";

mail_recipient read_recipient(SQLite::Statement& s) {
    mail_recipient r;
    r.user_id = s.getColumn(0).getInt64();
    r.who = parse_role(s.getColumn(1).getString()).value_or(role::teacher);
    r.email = s.getColumn(2).getString();
    r.mail_off = s.getColumn(3).getInt64();
    r.digest = s.getColumn(4).getInt() != 0;
    r.disabled = s.getColumn(5).getInt() != 0;
    return r;
}

constexpr const char* outbox_columns = "id, kind, ticket_id, event_seq, recipient_id, address, attempts, created_at";

outbox_row read_outbox_row(SQLite::Statement& s) {
    outbox_row r;
    r.id = s.getColumn(0).getInt64();
    r.kind = parse_mail_kind(s.getColumn(1).getString()).value_or(mail_kind::test);
    r.ticket_id = s.getColumn(2).getInt64();
    r.event_seq = s.getColumn(3).getInt64();
    r.recipient_id = s.getColumn(4).getInt64();
    r.address = s.getColumn(5).getString();
    r.attempts = s.getColumn(6).getInt();
    r.created_at = s.getColumn(7).getInt64();
    return r;
}

std::vector<std::int64_t> ids_of(SQLite::Statement& s) {
    std::vector<std::int64_t> ids;
    while (s.executeStep()) ids.push_back(s.getColumn(0).getInt64());
    return ids;
}

// Open tickets matching an SLA filter that have no mark of `kind`.
std::vector<std::int64_t> unmarked_by_filter(SQLite::Database& db, const sla_filter& filter, mail_kind kind,
                                             const business_calendar& calendar, time_ms now, int limit) {
    SQLite::Statement s(db, fmt::format("SELECT t.id FROM tickets t WHERE t.is_open = 1 AND ({}) AND NOT EXISTS "
                                        "(SELECT 1 FROM mail_marks m WHERE m.ticket_id = t.id AND m.kind = ?) "
                                        "LIMIT ?",
                                        filter.sql));
    int index = 1;
    filter.bind_each(sla_filter_instants_at(calendar, now), [&](time_ms value) { s.bind(index++, value); });
    s.bind(index++, std::string(to_string(kind)));
    s.bind(index, limit);
    return ids_of(s);
}

} // namespace

std::string_view to_string(outbox_state s) {
    switch (s) {
    case outbox_state::pending: return "pending";
    case outbox_state::held: return "held";
    case outbox_state::sent: return "sent";
    case outbox_state::undeliverable: return "undeliverable";
    case outbox_state::digested: return "digested";
    }
    return "pending";
}

std::optional<mail_recipient> find_mail_recipient(SQLite::Database& db, std::int64_t user_id) {
    reused_statement s(db, fmt::format("SELECT {} FROM users WHERE id = ?", recipient_columns));
    s->bind(1, user_id);
    if (!s->executeStep()) return std::nullopt;
    return read_recipient(*s);
}

std::optional<mail_recipient> find_manager_recipient(SQLite::Database& db, std::int64_t manager_id) {
    // users_by_manager (schema 10): a create asks this once, it must not scan the accounts.
    reused_statement s(db, fmt::format("SELECT {} FROM users WHERE manager_id = ? AND role = 'campus_manager' "
                                       "ORDER BY disabled, id LIMIT 1",
                                       recipient_columns));
    s->bind(1, manager_id);
    if (!s->executeStep()) return std::nullopt;
    return read_recipient(*s);
}

std::vector<mail_recipient> help_desk_recipients(SQLite::Database& db) {
    SQLite::Statement s(db, fmt::format("SELECT {} FROM users WHERE role = 'dispatcher' AND disabled = 0 ORDER BY id",
                                        recipient_columns));
    std::vector<mail_recipient> out;
    while (s.executeStep()) out.push_back(read_recipient(s));
    return out;
}

std::optional<mail_settings> load_mail_settings(SQLite::Database& db, std::int64_t user_id) {
    SQLite::Statement s(db, "SELECT email, mail_off, mail_digest, locale FROM users WHERE id = ?");
    s.bind(1, user_id);
    if (!s.executeStep()) return std::nullopt;
    return mail_settings{s.getColumn(0).getString(), s.getColumn(1).getInt64(), s.getColumn(2).getInt() != 0,
                         s.getColumn(3).getString()};
}

void save_mail_settings(SQLite::Database& db, std::int64_t user_id, const mail_settings& settings) {
    SQLite::Statement s(db, "UPDATE users SET email = ?, mail_off = ?, mail_digest = ?, locale = ? WHERE id = ?");
    s.bind(1, settings.email);
    s.bind(2, settings.mail_off);
    s.bind(3, settings.digest ? 1 : 0);
    s.bind(4, settings.locale);
    s.bind(5, user_id);
    s.exec();
}

bool set_user_email(SQLite::Database& db, std::string_view login, std::string_view email) {
    SQLite::Statement s(db, "UPDATE users SET email = ? WHERE login = ?");
    s.bind(1, std::string(email));
    s.bind(2, std::string(login));
    return s.exec() == 1;
}

void set_email_if_none(SQLite::Database& db, std::int64_t user_id, std::string_view email) {
    SQLite::Statement s(db, "UPDATE users SET email = ? WHERE id = ? AND email = '' AND role <> 'campus_manager'");
    s.bind(1, std::string(email));
    s.bind(2, user_id);
    s.exec();
}

std::int64_t insert_outbox(SQLite::Database& db, const outbox_entry& e, time_ms now) {
    reused_statement s(db, "INSERT INTO mail_outbox (kind, ticket_id, event_seq, recipient_id, address, state, "
                           "created_at, next_attempt_at) VALUES (?,?,?,?,?,?,?,?)");
    s->bind(1, std::string(to_string(e.kind)));
    s->bind(2, e.ticket_id);
    s->bind(3, e.event_seq);
    s->bind(4, e.recipient_id);
    s->bind(5, e.address);
    s->bind(6, std::string(to_string(e.state)));
    s->bind(7, now);
    s->bind(8, now);
    s->exec();
    return db.getLastInsertRowid();
}

std::vector<outbox_row> due_outbox(SQLite::Database& db, time_ms now, int limit) {
    reused_statement s(db, fmt::format("SELECT {} FROM mail_outbox WHERE state = 'pending' AND next_attempt_at <= ? "
                                       "ORDER BY next_attempt_at, id LIMIT ?",
                                       outbox_columns));
    s->bind(1, now);
    s->bind(2, limit);
    std::vector<outbox_row> rows;
    while (s->executeStep()) rows.push_back(read_outbox_row(*s));
    return rows;
}

std::optional<time_ms> next_outbox_due(SQLite::Database& db) {
    reused_statement s(db, "SELECT min(next_attempt_at) FROM mail_outbox WHERE state = 'pending'");
    if (!s->executeStep() || s->getColumn(0).isNull()) return std::nullopt;
    return s->getColumn(0).getInt64();
}

void mark_outbox_sent(SQLite::Database& db, const std::vector<std::int64_t>& ids, time_ms now) {
    reused_statement s(db, "UPDATE mail_outbox SET state = 'sent', attempts = attempts + 1, done_at = ?, "
                           "last_error = '' WHERE id = ? AND state = 'pending'");
    for (const auto id : ids) {
        s->bind(1, now);
        s->bind(2, id);
        s->exec();
        s->reset();
    }
}

void mark_outbox_failed(SQLite::Database& db, std::int64_t id, std::string_view error, std::optional<time_ms> retry_at,
                        time_ms now) {
    SQLite::Statement s(db, "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, state = ?, "
                            "next_attempt_at = ?, done_at = ? WHERE id = ? AND state = 'pending'");
    s.bind(1, std::string(error.substr(0, 500)));
    s.bind(2, retry_at ? "pending" : "undeliverable");
    s.bind(3, retry_at.value_or(0));
    if (retry_at) s.bind(4);
    else s.bind(4, now);
    s.bind(5, id);
    s.exec();
}

std::vector<undeliverable_mail> list_undeliverable(SQLite::Database& db, int limit) {
    SQLite::Statement s(db, "SELECT o.id, o.kind, COALESCE(t.number, ''), COALESCE(u.name, ''), "
                            "CASE WHEN o.address <> '' THEN o.address ELSE COALESCE(u.email, '') END, o.attempts, "
                            "o.created_at, COALESCE(o.done_at, 0), o.last_error FROM mail_outbox o "
                            "LEFT JOIN tickets t ON t.id = o.ticket_id LEFT JOIN users u ON u.id = o.recipient_id "
                            "WHERE o.state = 'undeliverable' ORDER BY o.id DESC LIMIT ?");
    s.bind(1, limit);
    std::vector<undeliverable_mail> out;
    while (s.executeStep()) {
        undeliverable_mail m;
        m.id = s.getColumn(0).getInt64();
        m.kind = parse_mail_kind(s.getColumn(1).getString()).value_or(mail_kind::test);
        m.ticket_number = s.getColumn(2).getString();
        m.recipient_name = s.getColumn(3).getString();
        m.address = s.getColumn(4).getString();
        m.attempts = s.getColumn(5).getInt();
        m.created_at = s.getColumn(6).getInt64();
        m.given_up_at = s.getColumn(7).getInt64();
        m.error = s.getColumn(8).getString();
        out.push_back(std::move(m));
    }
    return out;
}

std::size_t count_undeliverable(SQLite::Database& db) {
    return static_cast<std::size_t>(
        db.execAndGet("SELECT count(*) FROM mail_outbox WHERE state = 'undeliverable'").getInt64());
}

std::size_t count_pending(SQLite::Database& db) {
    return static_cast<std::size_t>(db.execAndGet("SELECT count(*) FROM mail_outbox WHERE state = 'pending'").getInt64());
}

bool mark_notice_once(SQLite::Database& db, std::int64_t ticket_id, mail_kind kind, time_ms now) {
    reused_statement s(db, "INSERT OR IGNORE INTO mail_marks (ticket_id, kind, at) VALUES (?,?,?)");
    s->bind(1, ticket_id);
    s->bind(2, std::string(to_string(kind)));
    s->bind(3, now);
    return s->exec() == 1;
}

std::vector<std::int64_t> unmarked_at_risk(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                                           int limit) {
    return unmarked_by_filter(db, at_risk_filter(), mail_kind::sla_warning, calendar, now, limit);
}

std::vector<std::int64_t> unmarked_breached(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                                            int limit) {
    return unmarked_by_filter(db, breached_filter(), mail_kind::sla_breach, calendar, now, limit);
}

std::vector<std::int64_t> unmarked_unseen(SQLite::Database& db, time_ms new_before, int limit) {
    SQLite::Statement s(db, "SELECT t.id FROM tickets t WHERE t.is_open = 1 AND t.status = 'new' AND t.created_at <= ? "
                            "AND NOT EXISTS (SELECT 1 FROM mail_marks m WHERE m.ticket_id = t.id AND m.kind = 'unseen') "
                            "LIMIT ?");
    s.bind(1, new_before);
    s.bind(2, limit);
    return ids_of(s);
}

std::vector<std::int64_t> recipients_with_held_mail(SQLite::Database& db) {
    SQLite::Statement s(db, "SELECT DISTINCT recipient_id FROM mail_outbox WHERE state = 'held'");
    return ids_of(s);
}

std::int64_t queue_digest(SQLite::Database& db, std::int64_t recipient_id, time_ms now) {
    SQLite::Statement held(db, "SELECT count(*) FROM mail_outbox WHERE state = 'held' AND recipient_id = ?");
    held.bind(1, recipient_id);
    if (!held.executeStep() || held.getColumn(0).getInt64() == 0) return 0;
    const auto digest = insert_outbox(db, {mail_kind::digest, 0, 0, recipient_id, "", outbox_state::pending}, now);
    SQLite::Statement gather(db, "UPDATE mail_outbox SET state = 'digested', digest_id = ?, done_at = ? "
                                 "WHERE state = 'held' AND recipient_id = ?");
    gather.bind(1, digest);
    gather.bind(2, now);
    gather.bind(3, recipient_id);
    gather.exec();
    return digest;
}

std::vector<outbox_row> digest_items(SQLite::Database& db, std::int64_t digest_id) {
    SQLite::Statement s(db, fmt::format("SELECT {} FROM mail_outbox WHERE digest_id = ? ORDER BY id", outbox_columns));
    s.bind(1, digest_id);
    std::vector<outbox_row> rows;
    while (s.executeStep()) rows.push_back(read_outbox_row(s));
    return rows;
}

} // namespace campusdesk
