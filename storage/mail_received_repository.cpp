#include "storage/mail_received_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

namespace campusdesk {
namespace {

mail_outcome outcome_of(std::string_view text) {
    for (auto o : {mail_outcome::ticket, mail_outcome::reply, mail_outcome::triage, mail_outcome::ignored,
                   mail_outcome::failed, mail_outcome::discarded})
        if (to_string(o) == text) return o;
    return mail_outcome::failed;
}

constexpr const char* columns =
    "m.id, m.message_key, m.received_at, m.sender, m.sender_name, m.subject, m.outcome, m.reason, "
    "COALESCE(m.ticket_id, 0), COALESCE(t.number, ''), COALESCE(m.handled_by, 0), COALESCE(m.handled_at, 0), "
    "EXISTS (SELECT 1 FROM mail_raw r WHERE r.mail_id = m.id) "
    "FROM mail_received m LEFT JOIN tickets t ON t.id = m.ticket_id";

received_mail read_row(SQLite::Statement& s) {
    received_mail m;
    m.id = s.getColumn(0).getInt64();
    m.message_key = s.getColumn(1).getString();
    m.received_at = s.getColumn(2).getInt64();
    m.sender = s.getColumn(3).getString();
    m.sender_name = s.getColumn(4).getString();
    m.subject = s.getColumn(5).getString();
    m.outcome = outcome_of(s.getColumn(6).getString());
    m.reason = s.getColumn(7).getString();
    m.ticket_id = s.getColumn(8).getInt64();
    m.ticket_number = s.getColumn(9).getString();
    m.handled_by = s.getColumn(10).getInt64();
    m.handled_at = s.getColumn(11).getInt64();
    m.raw_kept = s.getColumn(12).getInt() != 0;
    return m;
}

} // namespace

std::string_view to_string(mail_outcome o) {
    switch (o) {
        case mail_outcome::ticket: return "ticket";
        case mail_outcome::reply: return "reply";
        case mail_outcome::triage: return "triage";
        case mail_outcome::ignored: return "ignored";
        case mail_outcome::failed: return "failed";
        case mail_outcome::discarded: return "discarded";
    }
    return "failed";
}

std::optional<std::int64_t> begin_received_mail(SQLite::Database& db, std::string_view message_key, time_ms now,
                                                std::string_view sender, std::string_view sender_name,
                                                std::string_view subject, std::string_view raw) {
    reused_statement insert(db,
                            "INSERT INTO mail_received (message_key, received_at, sender, sender_name, subject, "
                            "outcome, reason) VALUES (?, ?, ?, ?, ?, 'failed', 'Verarbeitung unterbrochen') "
                            "ON CONFLICT (message_key) DO NOTHING");
    insert->bind(1, std::string(message_key));
    insert->bind(2, now);
    insert->bind(3, std::string(sender));
    insert->bind(4, std::string(sender_name));
    insert->bind(5, std::string(subject));
    if (insert->exec() == 0) return std::nullopt;
    const auto id = db.getLastInsertRowid();
    reused_statement keep(db, "INSERT INTO mail_raw (mail_id, raw) VALUES (?, ?)");
    keep->bind(1, id);
    keep->bind(2, raw.data(), static_cast<int>(raw.size()));
    keep->exec();
    return id;
}

void finish_received_mail(SQLite::Database& db, std::int64_t id, mail_outcome outcome, std::string_view reason,
                          std::int64_t ticket_id, bool keep_raw) {
    reused_statement update(db, "UPDATE mail_received SET outcome = ?, reason = ?, ticket_id = ? WHERE id = ?");
    update->bind(1, std::string(to_string(outcome)));
    update->bind(2, std::string(reason));
    if (ticket_id > 0) update->bind(3, ticket_id);
    else update->bind(3);
    update->bind(4, id);
    update->exec();
    if (keep_raw) return;
    reused_statement drop(db, "DELETE FROM mail_raw WHERE mail_id = ?");
    drop->bind(1, id);
    drop->exec();
}

std::vector<received_mail> list_mail_for_triage(SQLite::Database& db, std::size_t limit) {
    reused_statement s(db, std::string("SELECT ") + columns +
                               " WHERE m.outcome IN ('triage', 'failed') ORDER BY m.received_at, m.id LIMIT ?");
    s->bind(1, static_cast<std::int64_t>(limit));
    std::vector<received_mail> out;
    while (s->executeStep()) out.push_back(read_row(*s));
    return out;
}

std::size_t count_mail_for_triage(SQLite::Database& db) {
    reused_statement s(db, "SELECT COUNT(*) FROM mail_received WHERE outcome IN ('triage', 'failed')");
    s->executeStep();
    return static_cast<std::size_t>(s->getColumn(0).getInt64());
}

std::optional<received_mail> find_received_mail(SQLite::Database& db, std::int64_t id) {
    reused_statement s(db, std::string("SELECT ") + columns + " WHERE m.id = ?");
    s->bind(1, id);
    if (!s->executeStep()) return std::nullopt;
    return read_row(*s);
}

std::optional<std::string> load_raw_mail(SQLite::Database& db, std::int64_t id) {
    reused_statement s(db, "SELECT raw FROM mail_raw WHERE mail_id = ?");
    s->bind(1, id);
    if (!s->executeStep()) return std::nullopt;
    const auto column = s->getColumn(0);
    return std::string(static_cast<const char*>(column.getBlob()), static_cast<std::size_t>(column.getBytes()));
}

bool settle_triage_mail(SQLite::Database& db, std::int64_t id, mail_outcome outcome, std::int64_t ticket_id,
                        std::int64_t by, time_ms now) {
    reused_statement s(db,
                       "UPDATE mail_received SET outcome = ?, ticket_id = ?, handled_by = ?, handled_at = ? "
                       "WHERE id = ? AND outcome IN ('triage', 'failed')");
    s->bind(1, std::string(to_string(outcome)));
    if (ticket_id > 0) s->bind(2, ticket_id);
    else s->bind(2);
    s->bind(3, by);
    s->bind(4, now);
    s->bind(5, id);
    return s->exec() > 0;
}

bool claim_unknown_sender_answer(SQLite::Database& db, std::string_view address, time_ms now, time_ms interval) {
    // One statement: inserted, or moved forward only when the last answer is older than the interval.
    reused_statement s(db, "INSERT INTO mail_answered (address, at) VALUES (lower(?), ?) "
                           "ON CONFLICT (address) DO UPDATE SET at = excluded.at WHERE at <= excluded.at - ?");
    s->bind(1, std::string(address));
    s->bind(2, static_cast<std::int64_t>(now));
    s->bind(3, static_cast<std::int64_t>(interval));
    return s->exec() == 1;
}

} // namespace campusdesk
