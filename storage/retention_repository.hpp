// Personal data kept only as long as needed (issue 20, docs/datenschutz.md): the retention rules' SQL, and a
// person's data for export and erasure. Anonymising a ticket keeps what the statistics need (school, category,
// priority, status, the events' kinds and times, the SLA figures) and removes who asked and what was written.
#pragma once

#include "core/ticket.hpp"
#include "storage/sso_repository.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

// The account that anonymised tickets and erased people's events point to (created when first needed, disabled,
// no password): "(anonymisiert)".
std::int64_t anonymous_user_id(SQLite::Database& db, time_ms now);

// Closed tickets, not yet anonymised, whose last change is before `closed_before`; at most `limit`, oldest first.
std::vector<std::int64_t> tickets_to_anonymise(SQLite::Database& db, time_ms closed_before, int limit);
// Its SQL, for the query-plan test.
extern const std::string tickets_to_anonymise_query;
// Anonymises the tickets: requester → the anonymous account, title "[anonymisiert]", description, room and every
// event's text emptied, the requester's events by the anonymous account, attachments removed (their files go with
// the orphan sweep), mail received for them without sender, subject and raw bytes, a phone caller's name and
// number emptied; search no longer finds them.
void anonymise_tickets(SQLite::Database& db, const std::vector<std::int64_t>& ids, time_ms now);

// Removes the attachment rows of tickets closed before `closed_before`; returns how many.
std::int64_t remove_closed_attachments(SQLite::Database& db, time_ms closed_before);
// Removes expired sessions and API tokens; returns how many.
std::int64_t remove_expired_sessions(SQLite::Database& db, time_ms now);
// Maintenance work older than `before` (tasks done, postponements made) no longer names who did it: the anonymous
// account instead; the notes and reasons stay (staff's words about the work, like staff replies). Returns how
// many rows.
std::int64_t anonymise_maintenance_before(SQLite::Database& db, time_ms before, time_ms now);
// Removes audit-log entries older than `before`; returns how many.
std::int64_t remove_audit_before(SQLite::Database& db, time_ms before);
// Removes notifications delivered, digested or given up before `before`, and incoming mail settled (ticket, reply,
// ignored, discarded) before it with its raw bytes; returns how many rows.
std::int64_t remove_mail_before(SQLite::Database& db, time_ms before);

// Everything stored about one person, for `campusdesk user export` (JSON is made by the caller).
struct personal_ticket {
    std::string number, title, description, room, status, school_number;
    time_ms created_at = 0;
};
struct personal_event {
    std::string ticket_number, kind, body;
    time_ms at = 0;
};
struct personal_attachment {
    std::string ticket_number, filename, content_type, sha256;
    std::int64_t size = 0;
    time_ms uploaded_at = 0;
};
struct personal_session {
    std::string kind;  // "session" or "api_token"
    time_ms created_at = 0, expires_at = 0, last_used_at = 0;
    std::string client;
};
struct personal_audit {
    time_ms at = 0;
    std::string action, subject, detail;
};
// Maintenance work (issue 18): a plan they created, a task they marked done (with its note), a postponement they
// made (with its reason).
struct personal_maintenance {
    std::string action;  // "plan_created", "task_done", "task_postponed"
    std::string plan_title, school_number;
    std::string dates;  // the plan's start, the task's due date, "from → to" of a postponement
    std::string text;   // description, note, reason
    time_ms at = 0;
};
struct personal_data {
    std::int64_t user_id = 0;
    std::string login, name, role, school_number, email, locale;
    bool disabled = false;
    time_ms created_at = 0;
    std::vector<personal_ticket> tickets;          // filed by them
    std::vector<personal_event> events;            // written by them (on any ticket)
    std::vector<personal_attachment> attachments;  // uploaded by them
    std::vector<personal_session> sessions;
    std::vector<personal_audit> audit;             // done by them
    std::vector<external_identity> identities;     // at OpenID providers (single sign-on)
    std::vector<personal_maintenance> maintenance;  // plans created, tasks done and postponed, oldest first
};
std::optional<personal_data> load_personal_data(SQLite::Database& db, std::string_view login);

// Erases a person: their account becomes "(gelöscht)" without login name, name, address, password, sessions and
// tokens; the tickets they filed are anonymised; their texts on other tickets are emptied and point to the
// anonymous account; their uploads and personal canned replies removed; the maintenance plans, tasks and
// postponements they created, did or made point to the anonymous account. Ticket figures stay. Returns false if there is no such login.
bool erase_person(SQLite::Database& db, std::string_view login, time_ms now);

} // namespace campusdesk
