#include "storage/database.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <stdexcept>

namespace campusdesk {
namespace {

// Migration N brings user_version from N-1 to N. Never edit a shipped step; add a new one.
constexpr std::array<const char*, schema_version> migrations{
// 1: directory, accounts, tickets with their events and SLA projection, absences, audit log.
R"sql(
CREATE TABLE managers (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);
CREATE TABLE schools (
    number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    district TEXT NOT NULL,
    address TEXT NOT NULL,
    manager_id INTEGER NOT NULL REFERENCES managers(id)
) WITHOUT ROWID;
CREATE INDEX schools_by_manager ON schools(manager_id);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    school_number TEXT,
    manager_id INTEGER REFERENCES managers(id),
    password_hash TEXT NOT NULL DEFAULT '',
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE ticket_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    school_number TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    room TEXT NOT NULL,
    asset_tag TEXT NOT NULL,
    requester_id INTEGER NOT NULL,
    assignee_id INTEGER NOT NULL,
    partner TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    is_open INTEGER NOT NULL,
    -- SLA projection (SLA.md §3), recomputed from the events in the same transaction as every event.
    fr_verdict TEXT NOT NULL,
    fr_used_ms INTEGER NOT NULL,
    fr_due_at INTEGER,
    fr_risk_at INTEGER,
    fr_breached_at INTEGER,
    res_verdict TEXT NOT NULL,
    res_used_ms INTEGER NOT NULL,
    res_due_at INTEGER,
    res_risk_at INTEGER,
    res_breached_at INTEGER,
    due_at INTEGER
);
CREATE INDEX tickets_open_by_assignee ON tickets(assignee_id, is_open, due_at);
CREATE INDEX tickets_by_school ON tickets(school_number, created_at);
CREATE INDEX tickets_by_requester ON tickets(requester_id, created_at);
CREATE INDEX tickets_by_created ON tickets(created_at);
CREATE INDEX tickets_open_by_due ON tickets(is_open, due_at);
CREATE INDEX tickets_by_status_updated ON tickets(status, updated_at);
-- Free-text search over what teachers type; rows are added with the ticket (these fields never change).
CREATE VIRTUAL TABLE tickets_fts USING fts5(title, description, room, asset_tag, content='tickets',
    content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TABLE ticket_events (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_id INTEGER NOT NULL,
    by_staff INTEGER NOT NULL,
    kind TEXT NOT NULL,
    to_status TEXT,
    to_priority TEXT,
    body TEXT NOT NULL DEFAULT '',
    manager_id INTEGER,
    partner TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (ticket_id, seq)
) WITHOUT ROWID;
CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    manager_id INTEGER NOT NULL REFERENCES managers(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    substitute_id INTEGER NOT NULL REFERENCES managers(id)
);
CREATE INDEX absences_by_manager ON absences(manager_id, ends_at);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
)sql",
// 2: attachments (files live under the data dir by content hash).
R"sql(
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_by INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX attachments_by_ticket ON attachments(ticket_id);
)sql",
// 3: indexes in the lists' sort orders (due time with undated tickets last, as list_tickets sorts; last
// change), so a page is read in order and stops after `limit` rows instead of sorting every visible ticket.
R"sql(
CREATE INDEX tickets_by_due_key ON tickets(COALESCE(due_at, 9223372036854775807), id);
CREATE INDEX tickets_open_by_due_key ON tickets(is_open, COALESCE(due_at, 9223372036854775807), id);
CREATE INDEX tickets_by_assignee_due_key ON tickets(assignee_id, COALESCE(due_at, 9223372036854775807), id);
CREATE INDEX tickets_by_updated ON tickets(updated_at);
CREATE INDEX tickets_by_assignee_created ON tickets(assignee_id, created_at);
)sql",
// 4: the open tickets (a few thousand of a million) in one partial index, in due order, carrying every column
// that queues, board and load figures filter or count on: a manager's queue skips other managers' tickets
// inside the index and reads table rows only for its own page; at-risk, breached and the counts per school
// and manager never visit the table. Replaces the full (…, is_open, …) indexes, so writes maintain fewer.
R"sql(
DROP INDEX tickets_open_by_due;
DROP INDEX tickets_open_by_assignee;
DROP INDEX tickets_open_by_due_key;
CREATE INDEX tickets_open_by_due_key ON tickets(COALESCE(due_at, 9223372036854775807), id, assignee_id,
    school_number, status, category, created_at, fr_verdict, res_verdict, fr_breached_at, res_breached_at, due_at,
    fr_risk_at, fr_due_at, res_risk_at, res_due_at, is_open) WHERE is_open = 1;
)sql",
// 5: the rest of the SLA evaluation and the instant it was made at (sla_at), so lists carry the stored figures
// forward to now (carry_forward) instead of reading every listed ticket's events. sla_at is NULL where that is
// not exact (an event after the evaluation; rows of older schemas until the recomputation at the next start):
// lists then read the events as before.
R"sql(
ALTER TABLE tickets ADD COLUMN sla_at INTEGER;
ALTER TABLE tickets ADD COLUMN fr_target_minutes INTEGER;
ALTER TABLE tickets ADD COLUMN fr_ended_at INTEGER;
ALTER TABLE tickets ADD COLUMN res_target_minutes INTEGER;
ALTER TABLE tickets ADD COLUMN res_ended_at INTEGER;
ALTER TABLE tickets ADD COLUMN paused_ms INTEGER;
ALTER TABLE tickets ADD COLUMN reopen_count INTEGER;
ALTER TABLE tickets ADD COLUMN escalated INTEGER;
-- The queue's counts of open tickets per school: a manager's schools are a few hundred entries here (is_open
-- is carried so that the index covers the query).
CREATE INDEX tickets_open_by_school ON tickets(school_number, is_open) WHERE is_open = 1;
-- What the stored SLA figures were computed with (describe_sla_settings), to recompute them when it changes.
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
// 6: sessions remember their last use and where they came from (idle timeout; the user's list of their
// sessions); API tokens get an expiry, a label and their last use; browsers in which a login succeeded are
// known devices (they skip the login throttle's delays for that login).
R"sql(
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
UPDATE api_tokens SET expires_at = created_at + 180 * 86400000;  -- the default token lifetime
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
CREATE TABLE known_devices (
    token_hash TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (token_hash, user_id)
) WITHOUT ROWID;
CREATE INDEX known_devices_by_user ON known_devices(user_id);
)sql",
// 7: schools and managers that leave the config's CSV files stay as former ones (active = 0): their tickets keep
// their names, but they are no longer offered (directory_repository.hpp, sync_directory).
R"sql(
ALTER TABLE managers ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE schools ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
)sql",
// 8: lists of resolved tickets (a few thousand of a million) read their own small indexes in the sort order
// (issue 23, docs/lists.md); partial, so a new ticket does not maintain them (full indexes per status and school
// cost 13 % of the creates in an A/B).
R"sql(
CREATE INDEX tickets_resolved_by_due_key ON tickets(COALESCE(due_at, 9223372036854775807), id)
    WHERE status = 'resolved';
CREATE INDEX tickets_resolved_by_created ON tickets(created_at) WHERE status = 'resolved';
-- The open tickets' index carries requester_id too: a campus manager also sees what they filed for another
-- manager's school, and without it the queue read a table row for every open ticket it walked (queue page
-- -42 % in the A/B of issue 14).
DROP INDEX tickets_open_by_due_key;
CREATE INDEX tickets_open_by_due_key ON tickets(COALESCE(due_at, 9223372036854775807), id, assignee_id,
    school_number, status, category, created_at, fr_verdict, res_verdict, fr_breached_at, res_breached_at, due_at,
    fr_risk_at, fr_due_at, res_risk_at, res_due_at, is_open, requester_id, priority, updated_at) WHERE is_open = 1;
)sql",
// 9: people's e-mail addresses (issue 17: notifications, and mail from a known address becomes a ticket). Compared
// without regard to case; an empty address is no address.
R"sql(
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
CREATE INDEX users_by_email ON users(lower(email)) WHERE email <> '';
UPDATE users SET email = (SELECT m.email FROM managers m WHERE m.id = users.manager_id)
    WHERE role = 'campus_manager' AND manager_id IS NOT NULL;
)sql",
// 10: the mail outbox (issue 17). A notification is written in the transaction of the event that causes it, as an
// intent (kind, ticket, event, recipient) that the sender renders when it sends; its id makes its Message-ID, so a
// resend after a crash is recognisable. mail_marks remembers the time-driven notices (SLA warning and breach,
// unseen, outage) already queued for a ticket, so each is queued once. users: the kinds each person switched off
// (one bit per kind, core/notifications.hpp), whether a manager wants a daily digest instead, and the language of
// their mails ('de' or 'en').
R"sql(
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ticket_id INTEGER NOT NULL DEFAULT 0,
    event_seq INTEGER NOT NULL DEFAULT 0,
    recipient_id INTEGER NOT NULL DEFAULT 0,
    address TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    done_at INTEGER,
    digest_id INTEGER,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_pending ON mail_outbox(next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX mail_outbox_held ON mail_outbox(recipient_id, id) WHERE state = 'held';
CREATE INDEX mail_outbox_undeliverable ON mail_outbox(id) WHERE state = 'undeliverable';
CREATE INDEX mail_outbox_by_digest ON mail_outbox(digest_id) WHERE digest_id IS NOT NULL;
CREATE TABLE mail_marks (
    ticket_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, kind)
) WITHOUT ROWID;
ALTER TABLE users ADD COLUMN mail_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN mail_digest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'de';
CREATE INDEX users_by_manager ON users(manager_id) WHERE manager_id IS NOT NULL;
)sql",
// 11: incoming mail (issue 17). Every mail taken from the support mailbox, by its Message-ID (or a hash of its
// bytes), so that none is taken twice even if moving it on the IMAP server failed; what became of it; and the raw
// mail of every one that is not wholly in a ticket (triage, failed, attachments refused), so none is lost.
R"sql(
CREATE TABLE mail_received (
    id INTEGER PRIMARY KEY,
    message_key TEXT NOT NULL UNIQUE,
    received_at INTEGER NOT NULL,
    sender TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ticket', 'reply', 'triage', 'ignored', 'failed', 'discarded')),
    reason TEXT NOT NULL DEFAULT '',
    ticket_id INTEGER REFERENCES tickets(id),
    handled_by INTEGER REFERENCES users(id),
    handled_at INTEGER
);
CREATE INDEX mail_received_open ON mail_received(received_at) WHERE outcome IN ('triage', 'failed');
CREATE TABLE mail_raw (
    mail_id INTEGER PRIMARY KEY REFERENCES mail_received(id),
    raw BLOB NOT NULL
);
)sql",
// 12: the polite answers to unknown senders ([mail.imap] unknown_senders = "answer"): when each address (lower
// case) was last answered, so that it is answered at most once a day whatever it sends.
R"sql(
CREATE TABLE mail_answered (
    address TEXT PRIMARY KEY,
    at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
// 13: retention (issue 20): when a closed ticket's personal data was anonymised (NULL: not yet).
R"sql(
ALTER TABLE tickets ADD COLUMN anonymised_at INTEGER;
)sql",
// 14: issue 16's help-desk work. A ticket taken on the phone names who took
// the call and, for a caller without an account, their name and number (the requester is then the help-desk
// member). Canned replies: shared (owner NULL) or personal, optionally for one category. A school moved to
// another campus manager on the admin page: which manager schools.csv named at the time, so that the next sync
// keeps the move while the file still says the same and gives way once the file is changed.
R"sql(
CREATE TABLE phone_intakes (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    taken_by INTEGER NOT NULL REFERENCES users(id),
    caller_name TEXT NOT NULL DEFAULT '',
    caller_phone TEXT NOT NULL DEFAULT ''
);
CREATE INDEX users_by_school ON users(school_number) WHERE school_number IS NOT NULL;
CREATE TABLE canned_replies (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER REFERENCES users(id),
    category TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX canned_replies_by_owner ON canned_replies(owner_id, title);
CREATE TABLE school_moves (
    school_number TEXT PRIMARY KEY REFERENCES schools(number),
    manager_id INTEGER NOT NULL REFERENCES managers(id),
    file_manager_id INTEGER NOT NULL REFERENCES managers(id),
    moved_by INTEGER NOT NULL,
    moved_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
// 15: known problems and ticket links (issue 24). A problem (Störung) concerns some schools or all; its tickets are
// attached (each ticket to one problem at most) and the teachers it affects are listed once each, whether through
// their ticket or by "Ich bin auch betroffen". The banner of teachers' pages reads the few open problems through
// their partial index and the affected teachers through theirs; nothing is added to the tickets table or its
// indexes. ticket_links: a duplicate merged into its main ticket (from = duplicate), or two related tickets
// (from = the smaller id).
R"sql(
CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    all_schools INTEGER NOT NULL,
    priority TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    declared_at INTEGER NOT NULL,
    declared_by INTEGER NOT NULL,
    expected_at INTEGER,
    resolved_at INTEGER,
    resolved_by INTEGER NOT NULL DEFAULT 0,
    resolution TEXT NOT NULL DEFAULT ''
);
CREATE INDEX problems_open ON problems(declared_at) WHERE resolved_at IS NULL;
CREATE INDEX problems_by_started ON problems(started_at);
CREATE TABLE problem_schools (
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    school_number TEXT NOT NULL,
    PRIMARY KEY (problem_id, school_number)
) WITHOUT ROWID;
CREATE TABLE problem_tickets (
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets(id),
    attached_at INTEGER NOT NULL,
    attached_by INTEGER NOT NULL,
    PRIMARY KEY (problem_id, ticket_id)
) WITHOUT ROWID;
CREATE TABLE problem_affected (
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    user_id INTEGER NOT NULL,
    school_number TEXT NOT NULL,
    at INTEGER NOT NULL,
    room TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    ticket_id INTEGER REFERENCES tickets(id),
    PRIMARY KEY (problem_id, user_id)
) WITHOUT ROWID;
CREATE INDEX problem_affected_by_user ON problem_affected(user_id, problem_id);
CREATE TABLE ticket_links (
    from_id INTEGER NOT NULL REFERENCES tickets(id),
    to_id INTEGER NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL CHECK (kind IN ('related', 'merged')),
    created_at INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    PRIMARY KEY (from_id, to_id)
) WITHOUT ROWID;
CREATE INDEX ticket_links_by_to ON ticket_links(to_id, from_id);
)sql",
// 16: single sign-on (issue 19). A person's identity at an OpenID provider
// (the provider's id in the config and its stable `sub`) names their account; a session made through a provider
// keeps its ID token for RP-initiated logout and ends with the session.
R"sql(
CREATE TABLE external_identities (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    last_login_at INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
) WITHOUT ROWID;
CREATE INDEX external_identities_by_user ON external_identities(user_id);
CREATE TABLE sso_sessions (
    token_hash TEXT PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    id_token TEXT NOT NULL
) WITHOUT ROWID;
)sql",
// 17: devices (issue 18). The inventory of each school, imported from the MDMs' CSV exports; a serial number names a
// device across schools, the inventory number (the label's number) is looked up within a school through its own
// index. A retired device stays (its tickets keep it). problem_since: the creation time of the device's
// threshold-th most recent ticket ([devices] problem_tickets), kept by the writer as tickets are linked, so that
// the board reads the problem devices through a small partial index instead of counting tickets.
// ticket_devices: which device a ticket is about (with the ticket's creation time, for the device's history and
// the rates per kind); a table of its own, so that the tickets table and its indexes stay as they are.
R"sql(
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    school_number TEXT NOT NULL,
    kind TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL UNIQUE,
    inventory_number TEXT NOT NULL DEFAULT '',
    room TEXT NOT NULL DEFAULT '',
    owner_group TEXT NOT NULL,
    purchase_date TEXT NOT NULL DEFAULT '',
    warranty_end TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('in_use', 'in_repair', 'retired')),
    imported_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    problem_since INTEGER
);
CREATE INDEX devices_by_inventory ON devices(inventory_number, school_number) WHERE inventory_number <> '';
CREATE INDEX devices_by_school ON devices(school_number, kind, status);
CREATE INDEX devices_problem ON devices(problem_since) WHERE problem_since IS NOT NULL;
CREATE TABLE ticket_devices (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_devices_by_device ON ticket_devices(device_id, created_at);
CREATE INDEX ticket_devices_by_created ON ticket_devices(created_at, device_id);
)sql",
// 18: maintenance plans (issue 18): planned work, apart from the tickets (it never enters the SLA figures). A plan
// names a school or none (every school), a device kind or none; its tasks are one per school and period, the period
// naming the task for good so that generating again adds nothing (UNIQUE). Dates are local 'YYYY-MM-DD' texts;
// due_date is the one in force, planned_due_date the plan's; assignee_id is the school's campus manager (managers.id).
// Postponements keep their history with the reason.
R"sql(
CREATE TABLE maintenance_plans (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    school_number TEXT NOT NULL DEFAULT '',
    device_kind TEXT NOT NULL DEFAULT '',
    rule TEXT NOT NULL CHECK (rule IN ('every_school_weeks', 'before_holidays')),
    weeks INTEGER NOT NULL,
    holiday_name TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE TABLE maintenance_tasks (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES maintenance_plans(id),
    school_number TEXT NOT NULL,
    period INTEGER NOT NULL,
    due_date TEXT NOT NULL,
    planned_due_date TEXT NOT NULL,
    assignee_id INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    done_at INTEGER,
    done_date TEXT,
    done_by INTEGER,
    note TEXT NOT NULL DEFAULT '',
    postponements INTEGER NOT NULL DEFAULT 0,
    postpone_reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (plan_id, school_number, period)
);
CREATE INDEX maintenance_tasks_open ON maintenance_tasks(school_number, due_date) WHERE status = 'open';
CREATE INDEX maintenance_tasks_by_due ON maintenance_tasks(due_date);
CREATE TABLE maintenance_postponements (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES maintenance_tasks(id),
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    by_user INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX maintenance_postponements_by_task ON maintenance_postponements(task_id);
)sql",
// 19: the language a user chose for the pages ('' = follow the browser's Accept-Language; issue 16).
R"sql(
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '' CHECK (language IN ('', 'de', 'en'));
)sql",
// 20 (issue 16, "Search and lists"): search finds what a help-desk member types, not only what the teacher
// typed: the ticket number with its bare sequence ("302"), the school's number and name, the requester's name (a
// phone caller's too), the texts teachers see (replies, status notes) and, apart, the internal notes (only staff
// search them). `scope` carries u<requester>, s<school> and a<assignee>, so that a teacher's or campus manager's
// search asks FTS5 for their own tickets only (docs/lists.md).
// The index is written incrementally and holds no copy of the texts (external content, docs/lists.md "Search"):
// one FTS5 row per event with a text, rowid = ticket id << 20 | seq, so that a reply adds one row and never
// rewrites the ticket's others; the created event's row (seq 1) also carries the ticket's own fields.
// ticket_search_terms keeps what a row was indexed with beyond the tickets and events tables (the names, which
// change elsewhere, and the scope), because FTS5 removes a row only given the values it was indexed with; the view
// ticket_search_source is the one definition of a row (the migration, every write, 'rebuild' and
// 'integrity-check' read it). FTS5 writes a segment at every commit and savepoint (the writer inserts a batch's rows
// after its commands' savepoints, storage/write_queue.cpp) and merges them as it goes: 'optimize' leaves the rebuilt index as one segment, as automerge would
// otherwise go on merging the rebuild's large segments a few pages at every later commit (6 M instead of 0.7 M
// instructions per create), and automerge 16 (instead of 4) merges sixteen small segments at once, fewer times
// over (about 0.04 M instructions less per create, for up to 15 segments per level to read in a search);
// docs/lists.md "Search" has the measurements. Re-runnable: it starts from what is there and runs in the
// migration's transaction.
R"sql(
DROP TABLE IF EXISTS tickets_fts;
DROP TABLE IF EXISTS ticket_search;
DROP VIEW IF EXISTS ticket_search_source;
DROP TABLE IF EXISTS ticket_search_terms;
CREATE TABLE ticket_search_terms (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    school TEXT NOT NULL,
    requester TEXT NOT NULL,
    scope TEXT NOT NULL
);
INSERT INTO ticket_search_terms (ticket_id, school, requester, scope)
SELECT t.id, t.school_number || ' ' || COALESCE(s.name, ''), COALESCE(u.name, '') || ' ' || COALESCE(p.caller_name, ''),
    'u' || t.requester_id || ' s' || t.school_number || ' a' || t.assignee_id
FROM tickets t LEFT JOIN schools s ON s.number = t.school_number LEFT JOIN users u ON u.id = t.requester_id
    LEFT JOIN phone_intakes p ON p.ticket_id = t.id;
CREATE VIEW ticket_search_source AS
SELECT (e.ticket_id << 20) | e.seq AS id, e.ticket_id AS ticket_id, e.seq AS seq,
    CASE WHEN e.seq = 1 THEN t.title ELSE '' END AS title,
    CASE WHEN e.seq = 1 THEN t.description ELSE '' END AS description,
    CASE WHEN e.seq = 1 THEN t.room ELSE '' END AS room,
    CASE WHEN e.seq = 1 THEN t.asset_tag ELSE '' END AS asset_tag,
    CASE WHEN e.seq = 1 THEN t.number || ' ' || CAST(substr(t.number, 9) AS INTEGER) ELSE '' END AS number,
    CASE WHEN e.seq = 1 THEN n.school ELSE '' END AS school,
    CASE WHEN e.seq = 1 THEN n.requester ELSE '' END AS requester,
    CASE WHEN e.kind <> 'internal_note' THEN e.body ELSE '' END AS replies,
    CASE WHEN e.kind = 'internal_note' THEN e.body ELSE '' END AS notes,
    n.scope AS scope
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id JOIN ticket_search_terms n ON n.ticket_id = e.ticket_id
WHERE e.seq = 1 OR e.body <> '';
CREATE VIRTUAL TABLE ticket_search USING fts5(title, description, room, asset_tag, number, school, requester,
    replies, notes, scope, content='ticket_search_source', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
INSERT INTO ticket_search (ticket_search) VALUES ('rebuild');
INSERT INTO ticket_search (ticket_search) VALUES ('optimize');
INSERT INTO ticket_search (ticket_search, rank) VALUES ('automerge', 16);
)sql",
// 21 (issue 23): the sort indexes that a list walks over all tickets carry what a campus manager's visibility
// tests (assignee, school, requester), so the walk answers it from the index instead of reading the table row of
// every ticket walked, twelve in thirteen of them another manager's. The id stays right behind the sort key: the
// walk's order is (key, id); the due key's index holds due_at itself too, as SQLite 3.40 computes the key from the
// column rather than reading the indexed expression. As many index entries per create as before, each a few bytes
// longer.
R"sql(
DROP INDEX tickets_by_due_key;
CREATE INDEX tickets_by_due_key ON tickets(COALESCE(due_at, 9223372036854775807), id, assignee_id, school_number,
    requester_id, due_at);
DROP INDEX tickets_by_created;
CREATE INDEX tickets_by_created ON tickets(created_at, id, assignee_id, school_number, requester_id);
DROP INDEX tickets_by_updated;
CREATE INDEX tickets_by_updated ON tickets(updated_at, id, assignee_id, school_number, requester_id);
-- Retention's next batch (storage/retention_repository.cpp): closed tickets not yet anonymised, oldest change
-- first. A new ticket is not closed, so a create does not enter it.
DROP INDEX IF EXISTS tickets_closed_to_anonymise;
CREATE INDEX tickets_closed_to_anonymise ON tickets(updated_at) WHERE status = 'closed' AND anonymised_at IS NULL;
)sql",
// 22 (issue 23): a count of the changes committed to open tickets, kept by triggers in each change's own
// transaction, whichever connection or process makes it (the server, an import, a restore): the board's pass over
// the open tickets is reused exactly while it is unchanged (storage/board_repository.hpp, open_loads_memo). One
// more row written per transaction that changes an open ticket; a change to a closed ticket does not count.
R"sql(
CREATE TABLE IF NOT EXISTS change_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO change_counters (name, value) VALUES ('open_tickets', 0);
DROP TRIGGER IF EXISTS open_ticket_inserted;
CREATE TRIGGER open_ticket_inserted AFTER INSERT ON tickets WHEN new.is_open = 1
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'open_tickets'; END;
DROP TRIGGER IF EXISTS open_ticket_updated;
CREATE TRIGGER open_ticket_updated AFTER UPDATE ON tickets WHEN old.is_open = 1 OR new.is_open = 1
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'open_tickets'; END;
DROP TRIGGER IF EXISTS open_ticket_deleted;
CREATE TRIGGER open_ticket_deleted AFTER DELETE ON tickets WHEN old.is_open = 1
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'open_tickets'; END;
)sql"};

// Each connection is used by one thread at a time (the writer thread; a reader leased from the pool), so
// SQLite's per-connection mutex is not needed; its global memory statistics would serialise every allocation
// of every connection behind one mutex.
const int connection_flags = SQLite::OPEN_NOMUTEX;
void configure_sqlite_once() {
    static const bool configured = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // fails harmlessly if SQLite was already initialised
        return true;
    }();
    (void)configured;
}

std::atomic<int> page_cache_kib{16000};  // per connection

void apply_connection_pragmas(SQLite::Database& db) {
    db.setBusyTimeout(5000);
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA temp_store = MEMORY");
    db.exec(fmt::format("PRAGMA cache_size = -{}", page_cache_kib.load()));
}

} // namespace

void migrate(SQLite::Database& db) {
    int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > schema_version)
        throw std::runtime_error(fmt::format("database schema {} is newer than this campusdesk ({})", version,
                                             schema_version));
    for (; version < schema_version; ++version) {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        db.exec(migrations[static_cast<std::size_t>(version)]);
        db.exec(fmt::format("PRAGMA user_version = {}", version + 1));
        tx.commit();
    }
}

SQLite::Database open_writer_database(const std::filesystem::path& file) {
    configure_sqlite_once();
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | connection_flags);
    apply_connection_pragmas(db);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    // New files follow the CLI's umask; a database made by an earlier version may still be world-readable.
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code ignored;
        std::filesystem::permissions(file.string() + suffix, std::filesystem::perms::others_all,
                                     std::filesystem::perm_options::remove, ignored);
    }
    migrate(db);
    return db;
}

SQLite::Database open_reader_database(const std::filesystem::path& file) {
    configure_sqlite_once();
    SQLite::Database db(file.string(), SQLite::OPEN_READONLY | connection_flags);
    apply_connection_pragmas(db);
    return db;
}

void set_page_cache_per_connection(int kib) { page_cache_kib = kib; }

bool database_answers(SQLite::Database& db) { return db.execAndGet("SELECT 1").getInt() == 1; }

} // namespace campusdesk
