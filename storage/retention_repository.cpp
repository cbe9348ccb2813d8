#include "storage/retention_repository.hpp"

#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

#include <SQLiteCpp/Statement.h>

namespace campusdesk {
namespace {

constexpr const char* anonymous_login = "(anonymisiert)";

std::int64_t changes(SQLite::Database& db) { return db.execAndGet("SELECT changes()").getInt64(); }

std::int64_t exec_before(SQLite::Database& db, const char* sql, time_ms t) {
    SQLite::Statement s(db, sql);
    s.bind(1, static_cast<std::int64_t>(t));
    return s.exec();
}

} // namespace

std::int64_t anonymous_user_id(SQLite::Database& db, time_ms now) {
    if (const auto u = find_user_by_login(db, anonymous_login)) return u->id;
    // Disabled and without a password: nobody can log in as it; a teacher without a school sees nothing.
    SQLite::Statement s(db, "INSERT INTO users (login, name, role, password_hash, disabled, created_at) "
                            "VALUES (?, 'Anonymisiert', 'teacher', '', 1, ?)");
    s.bind(1, anonymous_login);
    s.bind(2, static_cast<std::int64_t>(now));
    s.exec();
    return db.getLastInsertRowid();
}

// Through the partial index of closed tickets not yet anonymised (schema 21): by (status, updated_at) each batch
// walked past every ticket the batches before it had anonymised, a table row each, so the first run on ten years
// of tickets took quadratic time (383 M instructions for one batch, tests/bench/profiling.md).
const std::string tickets_to_anonymise_query =
    "SELECT id FROM tickets INDEXED BY tickets_closed_to_anonymise WHERE status = 'closed' AND anonymised_at IS NULL "
    "AND updated_at < ? ORDER BY updated_at LIMIT ?";

std::vector<std::int64_t> tickets_to_anonymise(SQLite::Database& db, time_ms closed_before, int limit) {
    SQLite::Statement s(db, tickets_to_anonymise_query);
    s.bind(1, static_cast<std::int64_t>(closed_before));
    s.bind(2, limit);
    std::vector<std::int64_t> ids;
    while (s.executeStep()) ids.push_back(s.getColumn(0).getInt64());
    return ids;
}

void anonymise_tickets(SQLite::Database& db, const std::vector<std::int64_t>& ids, time_ms now) {
    const auto anonymous = anonymous_user_id(db, now);
    SQLite::Statement old_text(db, "SELECT requester_id FROM tickets WHERE id = ?");
    SQLite::Statement ticket(db, "UPDATE tickets SET title = '[anonymisiert]', description = '', room = '', "
                                 "requester_id = ?, anonymised_at = ? WHERE id = ?");
    SQLite::Statement events(db, "UPDATE ticket_events SET body = '', actor_id = CASE WHEN actor_id = ? THEN ? "
                                 "ELSE actor_id END WHERE ticket_id = ?");
    SQLite::Statement files(db, "DELETE FROM attachments WHERE ticket_id = ?");
    SQLite::Statement raw(db, "DELETE FROM mail_raw WHERE mail_id IN (SELECT id FROM mail_received WHERE ticket_id = ?)");
    SQLite::Statement mail(db, "UPDATE mail_received SET sender = '', sender_name = '', subject = '' WHERE ticket_id = ?");
    SQLite::Statement caller(db, "UPDATE phone_intakes SET caller_name = '', caller_phone = '' WHERE ticket_id = ?");
    SQLite::Statement affected(db, "UPDATE problem_affected SET room = '', note = '' WHERE ticket_id = ?");
    for (const auto id : ids) {
        old_text.bind(1, id);
        if (!old_text.executeStep()) {
            old_text.reset();
            continue;
        }
        const auto requester = old_text.getColumn(0).getInt64();
        old_text.reset();
        // The search index's rows of the texts go too (the inventory number stays: it names a device).
        unindex_ticket_search(db, id);
        ticket.bind(1, anonymous);
        ticket.bind(2, static_cast<std::int64_t>(now));
        ticket.bind(3, id);
        ticket.exec();
        ticket.reset();
        events.bind(1, requester);
        events.bind(2, anonymous);
        events.bind(3, id);
        events.exec();
        events.reset();
        for (auto* s : {&files, &raw, &mail, &caller, &affected}) {
            s->bind(1, id);
            s->exec();
            s->reset();
        }
        reindex_ticket_search(db, id);
    }
}

std::int64_t remove_closed_attachments(SQLite::Database& db, time_ms closed_before) {
    return exec_before(db,
                       "DELETE FROM attachments WHERE ticket_id IN "
                       "(SELECT id FROM tickets WHERE status = 'closed' AND updated_at < ?)",
                       closed_before);
}

std::int64_t remove_expired_sessions(SQLite::Database& db, time_ms now) {
    delete_expired_sessions(db, now);
    const auto sessions = changes(db);
    return sessions + exec_before(db, "DELETE FROM api_tokens WHERE expires_at IS NOT NULL AND expires_at < ?", now);
}

std::int64_t remove_audit_before(SQLite::Database& db, time_ms before) {
    return exec_before(db, "DELETE FROM audit_log WHERE at < ?", before);
}

std::int64_t remove_mail_before(SQLite::Database& db, time_ms before) {
    auto n = exec_before(db,
                         "DELETE FROM mail_outbox WHERE state IN ('sent', 'undeliverable', 'digested') "
                         "AND COALESCE(done_at, created_at) < ?",
                         before);
    n += exec_before(db,
                     "DELETE FROM mail_raw WHERE mail_id IN (SELECT id FROM mail_received WHERE outcome IN "
                     "('ticket', 'reply', 'ignored', 'discarded') AND received_at < ?)",
                     before);
    n += exec_before(db,
                     "DELETE FROM mail_received WHERE outcome IN ('ticket', 'reply', 'ignored', 'discarded') "
                     "AND received_at < ?",
                     before);
    n += exec_before(db, "DELETE FROM mail_answered WHERE at < ?", before);
    return n;
}

std::int64_t anonymise_maintenance_before(SQLite::Database& db, time_ms before, time_ms now) {
    // Asked first, because anonymous_user_id creates the account on first use. (NULL done_by compares as false.)
    const auto existing = find_user_by_login(db, anonymous_login);
    SQLite::Statement pending(db, "SELECT EXISTS (SELECT 1 FROM maintenance_tasks WHERE done_by <> ?1 AND done_at < ?2) "
                                  "OR EXISTS (SELECT 1 FROM maintenance_postponements WHERE by_user <> ?1 AND at < ?2)");
    pending.bind(1, existing ? existing->id : std::int64_t{-1});
    pending.bind(2, before);
    if (!pending.executeStep() || pending.getColumn(0).getInt() == 0) return 0;
    const auto anonymous = anonymous_user_id(db, now);
    std::int64_t n = 0;
    for (const char* sql : {"UPDATE maintenance_tasks SET done_by = ?1 WHERE done_by <> ?1 AND done_at < ?2",
                            "UPDATE maintenance_postponements SET by_user = ?1 WHERE by_user <> ?1 AND at < ?2"}) {
        SQLite::Statement s(db, sql);
        s.bind(1, anonymous);
        s.bind(2, before);
        n += s.exec();
    }
    return n;
}

std::optional<personal_data> load_personal_data(SQLite::Database& db, std::string_view login) {
    SQLite::Statement who(db, "SELECT id, login, name, role, COALESCE(school_number, ''), email, locale, disabled, "
                              "created_at FROM users WHERE login = ?");
    who.bind(1, std::string(login));
    if (!who.executeStep()) return std::nullopt;
    personal_data p;
    p.user_id = who.getColumn(0).getInt64();
    p.login = who.getColumn(1).getString();
    p.name = who.getColumn(2).getString();
    p.role = who.getColumn(3).getString();
    p.school_number = who.getColumn(4).getString();
    p.email = who.getColumn(5).getString();
    p.locale = who.getColumn(6).getString();
    p.disabled = who.getColumn(7).getInt() != 0;
    p.created_at = who.getColumn(8).getInt64();

    SQLite::Statement tickets(db, "SELECT number, title, description, room, status, school_number, created_at "
                                  "FROM tickets WHERE requester_id = ? ORDER BY id");
    tickets.bind(1, p.user_id);
    while (tickets.executeStep())
        p.tickets.push_back({tickets.getColumn(0).getString(), tickets.getColumn(1).getString(),
                             tickets.getColumn(2).getString(), tickets.getColumn(3).getString(),
                             tickets.getColumn(4).getString(), tickets.getColumn(5).getString(),
                             tickets.getColumn(6).getInt64()});
    // Events by actor: a scan, which an export (rare, by an administrator) may afford.
    SQLite::Statement events(db, "SELECT t.number, e.kind, e.body, e.at FROM ticket_events e JOIN tickets t "
                                 "ON t.id = e.ticket_id WHERE e.actor_id = ? ORDER BY e.at");
    events.bind(1, p.user_id);
    while (events.executeStep())
        p.events.push_back({events.getColumn(0).getString(), events.getColumn(1).getString(),
                            events.getColumn(2).getString(), events.getColumn(3).getInt64()});
    SQLite::Statement files(db, "SELECT t.number, a.filename, a.content_type, a.sha256, a.size, a.uploaded_at "
                                "FROM attachments a JOIN tickets t ON t.id = a.ticket_id WHERE a.uploaded_by = ? "
                                "ORDER BY a.id");
    files.bind(1, p.user_id);
    while (files.executeStep())
        p.attachments.push_back({files.getColumn(0).getString(), files.getColumn(1).getString(),
                                 files.getColumn(2).getString(), files.getColumn(3).getString(),
                                 files.getColumn(4).getInt64(), files.getColumn(5).getInt64()});
    SQLite::Statement sessions(db, "SELECT 'session', created_at, expires_at, COALESCE(last_seen_at, 0), client "
                                   "FROM sessions WHERE user_id = ?1 UNION ALL "
                                   "SELECT 'api_token', created_at, COALESCE(expires_at, 0), COALESCE(last_used_at, 0), "
                                   "label FROM api_tokens WHERE user_id = ?1");
    sessions.bind(1, p.user_id);
    while (sessions.executeStep())
        p.sessions.push_back({sessions.getColumn(0).getString(), sessions.getColumn(1).getInt64(),
                              sessions.getColumn(2).getInt64(), sessions.getColumn(3).getInt64(),
                              sessions.getColumn(4).getString()});
    p.identities = external_identities_of(db, p.user_id);
    SQLite::Statement maintenance(
        db, "SELECT 'plan_created', title, school_number, start_date, description, created_at FROM maintenance_plans "
            "WHERE created_by = ?1 UNION ALL "
            "SELECT 'task_done', p.title, t.school_number, t.due_date, t.note, t.done_at FROM maintenance_tasks t "
            "JOIN maintenance_plans p ON p.id = t.plan_id WHERE t.done_by = ?1 UNION ALL "
            "SELECT 'task_postponed', p.title, t.school_number, pp.from_date || ' → ' || pp.to_date, pp.reason, pp.at "
            "FROM maintenance_postponements pp JOIN maintenance_tasks t ON t.id = pp.task_id "
            "JOIN maintenance_plans p ON p.id = t.plan_id WHERE pp.by_user = ?1 ORDER BY 6");
    maintenance.bind(1, p.user_id);
    while (maintenance.executeStep())
        p.maintenance.push_back({maintenance.getColumn(0).getString(), maintenance.getColumn(1).getString(),
                                 maintenance.getColumn(2).getString(), maintenance.getColumn(3).getString(),
                                 maintenance.getColumn(4).getString(), maintenance.getColumn(5).getInt64()});
    SQLite::Statement audit(db, "SELECT at, action, subject, detail FROM audit_log WHERE actor_id = ? ORDER BY id");
    audit.bind(1, p.user_id);
    while (audit.executeStep())
        p.audit.push_back({audit.getColumn(0).getInt64(), audit.getColumn(1).getString(), audit.getColumn(2).getString(),
                           audit.getColumn(3).getString()});
    return p;
}

bool erase_person(SQLite::Database& db, std::string_view login, time_ms now) {
    const auto person = find_user_by_login(db, login);
    if (!person || person->login == anonymous_login) return false;
    const auto anonymous = anonymous_user_id(db, now);
    std::vector<std::int64_t> filed;
    {
        SQLite::Statement s(db, "SELECT id FROM tickets WHERE requester_id = ?");
        s.bind(1, person->id);
        while (s.executeStep()) filed.push_back(s.getColumn(0).getInt64());
    }
    anonymise_tickets(db, filed, now);
    // Elsewhere their name goes; a teacher's words go too, staff's replies stay (they are the answer teachers got).
    std::vector<std::int64_t> spoken_in;  // the tickets whose search rows hold their words
    if (person->who == role::teacher) {
        SQLite::Statement s(db, "SELECT DISTINCT ticket_id FROM ticket_events WHERE actor_id = ? AND body <> ''");
        s.bind(1, person->id);
        while (s.executeStep()) spoken_in.push_back(s.getColumn(0).getInt64());
    }
    for (const auto id : spoken_in) unindex_ticket_search(db, id);
    {
        SQLite::Statement s(db, "UPDATE ticket_events SET actor_id = ?, body = CASE WHEN ? THEN '' ELSE body END "
                                "WHERE actor_id = ?");
        s.bind(1, anonymous);
        s.bind(2, person->who == role::teacher ? 1 : 0);
        s.bind(3, person->id);
        s.exec();
    }
    for (const char* sql : {"UPDATE phone_intakes SET taken_by = ?2 WHERE taken_by = ?1",
                            "UPDATE canned_replies SET updated_by = ?2 WHERE updated_by = ?1",
                            "UPDATE maintenance_plans SET created_by = ?2 WHERE created_by = ?1",
                            "UPDATE maintenance_tasks SET done_by = ?2 WHERE done_by = ?1",
                            "UPDATE maintenance_postponements SET by_user = ?2 WHERE by_user = ?1"}) {
        SQLite::Statement s(db, sql);
        s.bind(1, person->id);
        s.bind(2, anonymous);
        s.exec();
    }
    for (const char* sql : {"DELETE FROM attachments WHERE uploaded_by = ?", "DELETE FROM sessions WHERE user_id = ?",
                            "DELETE FROM canned_replies WHERE owner_id = ?",
                            "UPDATE problem_affected SET room = '', note = '' WHERE user_id = ?",
                            "DELETE FROM api_tokens WHERE user_id = ?", "DELETE FROM known_devices WHERE user_id = ?",
                            "DELETE FROM external_identities WHERE user_id = ?",
                            "DELETE FROM mail_outbox WHERE recipient_id = ? AND state IN ('pending', 'held')"}) {
        SQLite::Statement s(db, sql);
        s.bind(1, person->id);
        s.exec();
    }
    SQLite::Statement account(db, "UPDATE users SET login = ?, name = '(gelöscht)', email = '', password_hash = '', "
                                  "disabled = 1, mail_off = 0, mail_digest = 0 WHERE id = ?");
    account.bind(1, "(gelöscht " + std::to_string(person->id) + ")");
    account.bind(2, person->id);
    account.exec();
    for (const auto id : spoken_in) reindex_ticket_search(db, id);
    return true;
}

} // namespace campusdesk
