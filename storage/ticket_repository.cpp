#include "storage/ticket_repository.hpp"

#include "core/business_calendar.hpp"
#include "core/sla_policy.hpp"
#include "storage/board_repository.hpp"
#include "storage/event_rows.hpp"
#include "storage/sla_filters.hpp"
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <variant>

namespace campusdesk {
namespace {

constexpr const char* ticket_columns =
    "t.id, t.number, t.school_number, t.category, t.priority, t.status, t.title, t.description, t.room, "
    "t.asset_tag, t.requester_id, t.assignee_id, t.partner, t.created_at, t.updated_at";

// Statement: SQLite::Statement or raw_statement (the rows of lists).
template <class Statement>
ticket read_ticket(Statement& s) {
    ticket t;
    t.id = s.getColumn(0).getInt64();
    t.number = s.getColumn(1).getString();
    t.school_number = s.getColumn(2).getString();
    t.category = s.getColumn(3).getString();
    t.prio = parse_priority(s.getColumn(4).getString()).value_or(priority::normal);
    t.state = parse_status(s.getColumn(5).getString()).value_or(status::open);
    t.title = s.getColumn(6).getString();
    t.description = s.getColumn(7).getString();
    t.room = s.getColumn(8).getString();
    t.asset_tag = s.getColumn(9).getString();
    t.requester_id = s.getColumn(10).getInt64();
    t.assignee_id = s.getColumn(11).getInt64();
    t.partner = s.getColumn(12).getString();
    t.created_at = s.getColumn(13).getInt64();
    t.updated_at = s.getColumn(14).getInt64();
    return t;
}

// The one reader of event rows (storage/event_rows.hpp), shared with the report queries.
using event_rows::read_event;
constexpr const char* event_columns = event_rows::columns;
constexpr const char* event_columns_without_body = event_rows::columns_without_body;

void bind_optional(SQLite::Statement& s, int index, const std::optional<time_ms>& v) {
    if (v) s.bind(index, static_cast<std::int64_t>(*v));
    else s.bind(index);
}

void insert_event_row(SQLite::Database& db, std::int64_t ticket_id, const ticket_event& e) {
    reused_statement s(db, "INSERT INTO ticket_events (ticket_id, seq, at, actor_id, by_staff, kind, to_status, "
                           "to_priority, body, manager_id, partner) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    s->bind(1, ticket_id);
    s->bind(2, e.seq);
    s->bind(3, e.at);
    s->bind(4, e.actor_id);
    s->bind(5, e.by_staff ? 1 : 0);
    s->bind(6, std::string(to_string(e.kind)));
    if (e.to_status) s->bind(7, std::string(to_string(*e.to_status)));
    else s->bind(7);
    if (e.to_priority) s->bind(8, std::string(to_string(*e.to_priority)));
    else s->bind(8);
    s->bind(9, e.body);
    if (e.manager_id) s->bind(10, *e.manager_id);
    else s->bind(10);
    s->bind(11, e.partner);
    s->exec();
}

// Writes the projection row (state and the SLA columns) of a ticket from its full history.
void update_projection(SQLite::Database& db, const ticket& t, const std::vector<ticket_event>& events,
                       const sla_context& sla, time_ms now) {
    const auto r = evaluate_sla(events, sla.policy, sla.calendar, now);
    const std::optional<time_ms> due = earliest_due(r);
    // The evaluation can be carried forward only if it saw every event (imports may hold future ones).
    const bool saw_every_event =
        std::all_of(events.begin(), events.end(), [&](const ticket_event& e) { return e.at <= now; });
    reused_statement s(db, "UPDATE tickets SET priority=?, status=?, assignee_id=?, partner=?, updated_at=?, "
                           "is_open=?, fr_verdict=?, fr_used_ms=?, fr_due_at=?, fr_risk_at=?, fr_breached_at=?, "
                           "fr_target_minutes=?, fr_ended_at=?, res_verdict=?, res_used_ms=?, res_due_at=?, "
                           "res_risk_at=?, res_breached_at=?, res_target_minutes=?, res_ended_at=?, due_at=?, "
                           "sla_at=?, paused_ms=?, reopen_count=?, escalated=? WHERE id=?");
    s->bind(1, std::string(to_string(t.prio)));
    s->bind(2, std::string(to_string(t.state)));
    s->bind(3, t.assignee_id);
    s->bind(4, t.partner);
    s->bind(5, t.updated_at);
    s->bind(6, is_open_status(t.state) ? 1 : 0);
    int i = 7;
    for (const auto* c : {&r.first_response, &r.resolution}) {
        s->bind(i++, std::string(to_string(c->verdict)));
        s->bind(i++, c->used_ms);
        bind_optional(*s, i++, c->due_at);
        bind_optional(*s, i++, c->at_risk_at);
        bind_optional(*s, i++, c->breached_at);
        s->bind(i++, c->target_minutes);
        bind_optional(*s, i++, c->ended_at);
    }
    bind_optional(*s, i++, due);
    if (saw_every_event) s->bind(i++, static_cast<std::int64_t>(now));
    else s->bind(i++);
    s->bind(i++, r.paused_ms);
    s->bind(i++, r.reopen_count);
    s->bind(i++, r.escalated ? 1 : 0);
    s->bind(i, t.id);
    s->exec();
}

// The stored evaluation of a listed row (sla_columns, from `first`), or nothing where it cannot be carried
// forward to `now` exactly.
constexpr const char* sla_columns =
    "t.sla_at, t.paused_ms, t.reopen_count, t.escalated, t.fr_verdict, t.fr_used_ms, t.fr_due_at, t.fr_risk_at, "
    "t.fr_breached_at, t.fr_target_minutes, t.fr_ended_at, t.res_verdict, t.res_used_ms, t.res_due_at, "
    "t.res_risk_at, t.res_breached_at, t.res_target_minutes, t.res_ended_at";

template <class Column>
std::optional<time_ms> optional_time(const Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getInt64();
}

std::optional<sla_result> read_stored_sla(raw_statement& s, int first, const ticket& t,
                                          const business_calendar& calendar, time_ms now) {
    const auto sla_at = optional_time(s.getColumn(first));
    if (!sla_at || *sla_at > now) return std::nullopt;
    sla_result r;
    r.paused_ms = s.getColumn(first + 1).getInt64();
    r.reopen_count = s.getColumn(first + 2).getInt();
    r.escalated = s.getColumn(first + 3).getInt() != 0;
    int i = first + 4;
    for (sla_clock* c : {&r.first_response, &r.resolution}) {
        c->verdict = parse_sla_verdict(s.getColumn(i++).getString()).value_or(sla_verdict::running);
        c->used_ms = s.getColumn(i++).getInt64();
        c->due_at = optional_time(s.getColumn(i++));
        c->at_risk_at = optional_time(s.getColumn(i++));
        c->breached_at = optional_time(s.getColumn(i++));
        c->target_minutes = s.getColumn(i++).getInt();
        c->ended_at = optional_time(s.getColumn(i++));
    }
    r.first_response_at = r.first_response.ended_at;
    r.resolved_at = r.resolution.ended_at;
    r.current_status = t.state;
    r.current_priority = t.prio;
    r.at_risk = state_of(r, *sla_at) == sla_state::at_risk;
    return carry_forward(r, *sla_at, calendar, now);
}

// The ticket's changing fields, folded from its history; the fixed ones (title, school, …) come from `fixed`.
ticket project(const ticket& fixed, const std::vector<ticket_event>& events) {
    ticket t = fixed;
    t.partner.clear();
    t.updated_at = t.created_at;
    for (const auto& e : events) apply_event(t, e);
    return t;
}

std::int64_t next_number(SQLite::Database& db, int year) {
    // The counter stops at max_ticket_sequence (core/ticket_rules.hpp), so no number outgrows the format: at the
    // end the upsert changes nothing and returns no row.
    reused_statement s(db, "INSERT INTO ticket_counters (year, last) VALUES (?, 1) "
                           "ON CONFLICT(year) DO UPDATE SET last = last + 1 WHERE last < ? RETURNING last");
    s->bind(1, year);
    s->bind(2, max_ticket_sequence);
    if (!s->executeStep()) throw ticket_numbers_exhausted(year);
    return s->getColumn(0).getInt64();
}

// Keeps a counter at least at an imported number, so new tickets never collide with imported ones.
void raise_counter(SQLite::Database& db, const std::string& number) {
    const auto parts = parse_ticket_number(number);
    if (!parts) throw std::invalid_argument(fmt::format("{} is not a ticket number", number));
    SQLite::Statement s(db, "INSERT INTO ticket_counters (year, last) VALUES (?, ?) "
                            "ON CONFLICT(year) DO UPDATE SET last = max(last, excluded.last)");
    s.bind(1, parts->year);
    s.bind(2, parts->sequence);
    s.exec();
}

} // namespace

namespace {

// The search index (schema 20, docs/lists.md "Search"): one FTS5 row per event with a text, as the view
// ticket_search_source defines it; FTS5 keeps no copy of the texts (external content).
constexpr const char* search_columns =
    "title, description, room, asset_tag, number, school, requester, replies, notes, scope";

// A search row's rowid is ticket id << search_seq_bits | seq.
constexpr int search_seq_bits = 20;
constexpr std::int64_t max_search_seq = (std::int64_t{1} << search_seq_bits) - 1;

// What a ticket's rows are indexed with beyond the tickets and events tables, as they stand now: the school's
// number and name, the requester's name (and a phone caller's), the scope (docs/lists.md).
struct search_terms {
    std::string school, requester, scope;
};

search_terms current_search_terms(SQLite::Database& db, std::int64_t ticket_id) {
    reused_statement s(db, "SELECT t.school_number || ' ' || COALESCE(s.name, ''), "
                           "COALESCE(u.name, '') || ' ' || COALESCE(p.caller_name, ''), "
                           "'u' || t.requester_id || ' s' || t.school_number || ' a' || t.assignee_id "
                           "FROM tickets t LEFT JOIN schools s ON s.number = t.school_number "
                           "LEFT JOIN users u ON u.id = t.requester_id "
                           "LEFT JOIN phone_intakes p ON p.ticket_id = t.id WHERE t.id = ?");
    s->bind(1, ticket_id);
    if (!s->executeStep()) throw std::logic_error("search terms of a ticket that does not exist");
    return {s->getColumn(0).getString(), s->getColumn(1).getString(), s->getColumn(2).getString()};
}

// Single-row statements only, here and for the index rows below: FTS5 flushes its pending terms to a new segment
// (and merges) whenever SQLite opens a statement savepoint in the transaction, which it does for an INSERT ...
// SELECT or an INSERT OR REPLACE; a transaction's rows then reach the index as one segment at commit.
void write_search_terms(SQLite::Database& db, std::int64_t ticket_id, const search_terms& terms, bool is_new) {
    reused_statement s(db, is_new ? "INSERT INTO ticket_search_terms (school, requester, scope, ticket_id) "
                                    "VALUES (?,?,?,?)"
                                  : "UPDATE ticket_search_terms SET school = ?, requester = ?, scope = ? "
                                    "WHERE ticket_id = ?");
    s->bind(1, terms.school);
    s->bind(2, terms.requester);
    s->bind(3, terms.scope);
    s->bind(4, ticket_id);
    s->exec();
}

void insert_search_row(SQLite::Database& db, const search_index_batch::row& r) {
    reused_statement add(db, "INSERT INTO ticket_search (rowid, title, description, room, asset_tag, number, school, "
                             "requester, replies, notes, scope) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    add->bind(1, r.rowid);
    for (std::size_t i = 0; i < r.columns.size(); ++i) add->bind(static_cast<int>(i) + 2, r.columns[i]);
    add->exec();
    add->reset();
}

// Into the writer's batch if one is open on this connection, else into the index at once.
void add_search_row(SQLite::Database& db, search_index_batch::row r) {
    if (auto* batch = search_index_batch::open_for(db)) batch->keep(std::move(r));
    else insert_search_row(db, r);
}

// A new ticket's one row (seq 1: its fields and the created event's text), from the values at hand rather than
// read back through the view; the same values as ticket_search_source's row (the storage tests' integrity-check
// compares them).
void index_new_ticket(SQLite::Database& db, const ticket& t, const std::string& created_body) {
    const auto terms = current_search_terms(db, t.id);
    write_search_terms(db, t.id, terms, true);
    // The number and its bare sequence, as the view's CAST(substr(number, 9) AS INTEGER): the leading digits.
    long long sequence = 0;
    const auto digits = std::string_view(t.number).substr(std::min<std::size_t>(8, t.number.size()));
    std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
    add_search_row(db, {(t.id << search_seq_bits) | 1,
                        {t.title, t.description, t.room, t.asset_tag, fmt::format("{} {}", t.number, sequence),
                         terms.school, terms.requester, created_body, "", terms.scope}});
}

// Writes the rows of events `from`..`to` of a ticket to the index, or with `remove` takes them out: read through
// the view, written one row per INSERT ... VALUES (an INSERT ... SELECT would flush FTS5 at its savepoint). A
// removal first writes the rows the writer's batch keeps: some may be the ones it removes.
void write_search_rows(SQLite::Database& db, std::int64_t ticket_id, std::int64_t from, std::int64_t to, bool remove) {
    if (auto* batch = search_index_batch::open_for(db); remove && batch) batch->write();
    static const auto read_sql = fmt::format("SELECT id, {} FROM ticket_search_source WHERE ticket_id = ? AND seq "
                                             "BETWEEN ? AND ?", search_columns);
    static const auto remove_sql = fmt::format("INSERT INTO ticket_search (ticket_search, rowid, {}) VALUES "
                                               "('delete',?,?,?,?,?,?,?,?,?,?,?)", search_columns);
    std::vector<search_index_batch::row> rows;
    {
        reused_statement read(db, read_sql);
        read->bind(1, ticket_id);
        read->bind(2, from);
        read->bind(3, to);
        while (read->executeStep()) {
            search_index_batch::row r{read->getColumn(0).getInt64(), {}};
            for (std::size_t i = 0; i < r.columns.size(); ++i)
                r.columns[i] = read->getColumn(static_cast<int>(i) + 1).getString();
            rows.push_back(std::move(r));
        }
    }
    if (!remove) {
        for (auto& r : rows) add_search_row(db, std::move(r));
        return;
    }
    reused_statement write(db, remove_sql);
    for (const auto& r : rows) {
        write->bind(1, r.rowid);
        for (std::size_t i = 0; i < r.columns.size(); ++i) write->bind(static_cast<int>(i) + 2, r.columns[i]);
        write->exec();
        write->reset();
    }
}

void index_search_rows(SQLite::Database& db, std::int64_t ticket_id, std::int64_t from, std::int64_t to) {
    write_search_rows(db, ticket_id, from, to, false);
}

// Removes a ticket's rows from the index. FTS5 takes the values a row was indexed with: the view still shows them
// as long as the texts, the events and ticket_search_terms have not changed since.
void unindex_search_rows(SQLite::Database& db, std::int64_t ticket_id) {
    write_search_rows(db, ticket_id, 1, max_search_seq, true);
}

} // namespace

ticket insert_ticket(SQLite::Database& db, ticket t, ticket_event created, int year, const sla_context& sla,
                     time_ms now) {
    if (t.number.empty()) t.number = format_ticket_number(year, next_number(db, year));
    else raise_counter(db, t.number);
    created.kind = event_kind::created;
    created.seq = 1;
    created.to_priority = t.prio;
    created.manager_id = t.assignee_id;  // the first assignee, so the projection follows from the events alone
    t.state = status::new_;
    t.created_at = t.updated_at = created.at;
    reused_statement s(db, "INSERT INTO tickets (number, school_number, category, priority, status, title, "
                           "description, room, asset_tag, requester_id, assignee_id, partner, created_at, "
                           "updated_at, is_open, fr_verdict, fr_used_ms, res_verdict, res_used_ms) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,'',?,?,1,'running',0,'running',0)");
    s->bind(1, t.number);
    s->bind(2, t.school_number);
    s->bind(3, t.category);
    s->bind(4, std::string(to_string(t.prio)));
    s->bind(5, std::string(to_string(t.state)));
    s->bind(6, t.title);
    s->bind(7, t.description);
    s->bind(8, t.room);
    s->bind(9, t.asset_tag);
    s->bind(10, t.requester_id);
    s->bind(11, t.assignee_id);
    s->bind(12, t.created_at);
    s->bind(13, t.updated_at);
    s->exec();
    t.id = db.getLastInsertRowid();
    insert_event_row(db, t.id, created);
    update_projection(db, t, {created}, sla, now);
    index_new_ticket(db, t, created.body);
    return t;
}

ticket append_event(SQLite::Database& db, const ticket& current, ticket_event e, const sla_context& sla,
                    time_ms now) {
    auto events = load_events(db, current.id);
    e.seq = events.empty() ? 1 : events.back().seq + 1;
    events.push_back(e);
    ticket t = project(current, events);
    // A new assignee changes the scope of every search row of the ticket (a manager's search): they go before the
    // event row exists (the view shows the rows as indexed) and come back with the new scope. Otherwise a text adds
    // its own row and the others stay as they are.
    const bool rescoped = t.assignee_id != current.assignee_id;
    if (rescoped) unindex_ticket_search(db, t.id);
    insert_event_row(db, current.id, e);
    update_projection(db, t, events, sla, now);
    if (rescoped) reindex_ticket_search(db, t.id);
    else if (!e.body.empty()) index_search_rows(db, t.id, e.seq, e.seq);
    return t;
}

std::size_t recompute_all_sla(SQLite::Database& db, const sla_context& sla, time_ms now) {
    SQLite::Statement s(db, fmt::format("SELECT {} FROM tickets t ORDER BY t.id", ticket_columns));
    std::size_t n = 0;
    while (s.executeStep()) {
        const auto events = load_events(db, s.getColumn(0).getInt64());
        update_projection(db, project(read_ticket(s), events), events, sla, now);
        ++n;
    }
    note_sla_settings(db, sla);
    return n;
}

void note_sla_settings(SQLite::Database& db, const sla_context& sla) {
    SQLite::Statement note(db, "INSERT INTO settings (name, value) VALUES ('sla', ?) "
                               "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    note.bind(1, describe_sla_settings(sla.policy, sla.calendar.config()));
    note.exec();
}

std::optional<std::size_t> recompute_sla_if_settings_changed(SQLite::Database& db, const sla_context& sla,
                                                             time_ms now) {
    SQLite::Statement s(db, "SELECT value FROM settings WHERE name = 'sla'");
    if (s.executeStep() && s.getColumn(0).getString() == describe_sla_settings(sla.policy, sla.calendar.config()))
        return std::nullopt;
    s.reset();
    return recompute_all_sla(db, sla, now);
}

void unindex_ticket_search(SQLite::Database& db, std::int64_t ticket_id) {
    unindex_search_rows(db, ticket_id);
}

void reindex_ticket_search(SQLite::Database& db, std::int64_t ticket_id) {
    write_search_terms(db, ticket_id, current_search_terms(db, ticket_id), false);
    index_search_rows(db, ticket_id, 1, max_search_seq);
}

namespace {
// The writer's batch of this thread (a connection belongs to one thread while it writes).
thread_local search_index_batch* open_search_batch = nullptr;
} // namespace

search_index_batch::search_index_batch(SQLite::Database& db) : db_(db), outer_(open_search_batch) {
    open_search_batch = this;
}

search_index_batch::~search_index_batch() { open_search_batch = outer_; }

search_index_batch* search_index_batch::open_for(SQLite::Database& db) {
    for (auto* b = open_search_batch; b; b = b->outer_)
        if (&b->db_ == &db) return b;
    return nullptr;
}

void search_index_batch::roll_back_to(mark m) {
    rows_.resize(std::min(rows_.size(), m.kept));
    written_ = std::min(written_, m.written);
}

void search_index_batch::write() {
    for (; written_ < rows_.size(); ++written_) insert_search_row(db_, rows_[written_]);
}

std::optional<ticket> find_ticket(SQLite::Database& db, std::string_view number) {
    static const auto sql = fmt::format("SELECT {} FROM tickets t WHERE t.number = ?", ticket_columns);
    reused_statement s(db, sql);
    s->bind(1, std::string(number));
    if (!s->executeStep()) return std::nullopt;
    return read_ticket(*s);
}

std::optional<ticket> find_ticket_by_id(SQLite::Database& db, std::int64_t id) {
    static const auto sql = fmt::format("SELECT {} FROM tickets t WHERE t.id = ?", ticket_columns);
    reused_statement s(db, sql);
    s->bind(1, id);
    if (!s->executeStep()) return std::nullopt;
    return read_ticket(*s);
}

std::set<std::string, std::less<>> taken_ticket_numbers(SQLite::Database& db, const std::vector<std::string>& numbers) {
    std::set<std::string, std::less<>> taken;
    SQLite::Statement s(db, "SELECT 1 FROM tickets WHERE number = ?");
    for (const auto& number : numbers) {
        s.bind(1, number);
        if (s.executeStep()) taken.insert(number);
        s.reset();
    }
    return taken;
}

std::vector<std::string> find_resolved_before(SQLite::Database& db, time_ms resolved_at_or_before, std::size_t at_most) {
    // The latest `resolved` event counts (as for the requester's reopen), not the last change.
    SQLite::Statement s(db, "SELECT t.number FROM tickets t WHERE t.status = 'resolved' AND "
                            "(SELECT max(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'resolved') "
                            "<= ? LIMIT ?");
    s.bind(1, resolved_at_or_before);
    s.bind(2, static_cast<std::int64_t>(at_most));
    std::vector<std::string> numbers;
    while (s.executeStep()) numbers.push_back(s.getColumn(0).getString());
    return numbers;
}

std::vector<ticket_event> load_events(SQLite::Database& db, std::int64_t ticket_id) {
    static const auto sql = fmt::format("SELECT {} FROM ticket_events WHERE ticket_id = ? ORDER BY seq", event_columns);
    reused_statement s(db, sql);
    s->bind(1, ticket_id);
    std::vector<ticket_event> events;
    while (s->executeStep()) events.push_back(read_event(*s, 0));
    return events;
}

std::optional<ticket_sort> parse_ticket_sort(std::string_view text) {
    if (text == "due") return ticket_sort::due;
    if (text == "created") return ticket_sort::created;
    if (text == "updated") return ticket_sort::updated;
    return std::nullopt;  // relevance is the pages' (docs/lists.md); the API's sorts are those of shared/API.md
}

namespace {

using bind_value = std::variant<std::int64_t, std::string>;

// A ticket's position in a sort order: the sort key and the id as tie-breaker.
struct cursor_position {
    std::int64_t key = 0;
    std::int64_t id = 0;
};

cursor_position parse_cursor(std::string_view text) {
    const auto colon = text.find(':');
    cursor_position c;
    if (colon == std::string_view::npos) throw cursor_error("malformed cursor");
    auto [p1, e1] = std::from_chars(text.data(), text.data() + colon, c.key);
    auto [p2, e2] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), c.id);
    if (e1 != std::errc{} || e2 != std::errc{} || p1 != text.data() + colon || p2 != text.data() + text.size())
        throw cursor_error("malformed cursor");
    return c;
}

// Turns free text into FTS5 terms, one per word, so user input can never be FTS syntax: every word is a quoted
// term, and what FTS5 cannot take inside one (a quote, a NUL, which ends its query text, and the other control
// characters) separates words instead. A word of four characters or more also finds the words it begins ("Druck"
// finds Druckerpatrone): FTS5 merges the postings of every word with that prefix, which for a shorter prefix
// ("ge", "ich") is most of the index (400 ms at 1M tickets), so shorter words are matched whole. A word of digits
// is also asked for as itself: "3021" finds CD-2026-003021 (indexed with its bare sequence) before CD-2026-030210,
// as bm25 counts both terms. Empty: no words.
std::vector<std::string> fts_words(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (word.empty()) return;
        const auto characters = std::count_if(word.begin(), word.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; });
        const bool digits = std::all_of(word.begin(), word.end(), [](unsigned char c) { return std::isdigit(c); });
        if (characters < 4) out.push_back('"' + word + '"');
        else if (digits) out.push_back(fmt::format("(\"{0}\" OR \"{0}\"*)", word));
        else out.push_back('"' + word + "\"*");
        word.clear();
    };
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || u < 0x20 || u == 0x7F || std::isspace(u)) flush();
        else word += c;
    }
    flush();
    return out;
}

bool has_search_words(std::string_view text) {
    return !fts_words(text).empty();
}

// The schools whose tickets a campus manager sees: their own and those of the colleagues they cover.
std::vector<std::string> schools_looked_after(SQLite::Database& db, const viewer& v, std::string& manager_ids) {
    manager_ids = std::to_string(v.manager_id);
    for (auto id : v.covering) manager_ids += fmt::format(",{}", id);
    reused_statement schools(db, fmt::format("SELECT number FROM schools WHERE manager_id IN ({})", manager_ids));
    std::vector<std::string> numbers;
    while (schools->executeStep()) numbers.push_back(schools->getColumn(0).getString());
    return numbers;
}

// The FTS5 queries of a text search (docs/lists.md "Search"): every word must be found somewhere in the ticket,
// in one of its rows (the ticket's own fields, a reply, a note) or another. So the first query reads the rows with
// any of the words, newest first, and with two words or more each further query gives the tickets with that word,
// which the candidates must be among (text_candidates_sql). Each looks in the columns the viewer may search
// (internal notes only for staff), and for teachers and campus managers only at rows of their scope (u<requester>,
// s<school>, a<assignee>: the index's scope column mirrors residual_filters' visibility), so that the newest
// candidates are theirs, not the newest of everyone's. residual_filters still checks every row.
std::vector<std::string> search_matches(SQLite::Database& db, const ticket_query& q) {
    const auto& v = q.who;
    const auto words = fts_words(q.text);
    std::vector<std::string> scope;
    if (v.who == role::teacher) {
        scope.push_back(fmt::format("u{}", v.user_id));
        if (q.teachers_see_school_tickets) scope.push_back("s" + v.school_number);
    } else if (v.who == role::campus_manager) {
        std::string ids;
        for (const auto& school : schools_looked_after(db, v, ids)) scope.push_back("s" + school);
        scope.push_back(fmt::format("a{}", v.manager_id));
        for (auto id : v.covering) scope.push_back(fmt::format("a{}", id));
        scope.push_back(fmt::format("u{}", v.user_id));
    }
    std::string in_scope;
    if (!scope.empty()) {
        in_scope = " AND scope : (";
        for (std::size_t i = 0; i < scope.size(); ++i)
        {
            // Ids and school numbers; a school number is config data, so anything but letters and digits goes.
            std::string token;
            for (unsigned char c : scope[i])
                if (std::isalnum(c)) token += static_cast<char>(c);
            in_scope += fmt::format("{}\"{}\"", i ? " OR " : "", token);
        }
        in_scope += ")";
    }
    const auto columns = fmt::format("{{title description room asset_tag number school requester replies{}}}",
                                     v.who != role::teacher ? " notes" : "");
    std::vector<std::string> matches{fmt::format("{} : ({}){}", columns, fmt::join(words, " OR "), in_scope)};
    if (words.size() > 1)
        for (const auto& word : words) matches.push_back(fmt::format("{} : ({}){}", columns, word, in_scope));
    return matches;
}

} // namespace

namespace {

// A list request reads rows in one index, in the requested order, and tests the remaining filters on each row
// (docs/lists.md). Which index is the list's plan, chosen here rather than by SQLite's planner (which has no
// statistics and does not weigh a LIMIT), so that no shape sorts the world.
enum class list_plan {
    open_set,      // open tickets only: the partial index of open tickets (a few thousand of a million)
    running_set,   // at risk: the tickets with a running clock (the open ones and a few resolved), by due time
    school_set,    // one school by due time or last change: its tickets (thousands at most), sorted by id and key
    requester,     // a teacher: their own tickets (and their school's, if configured)
    text,          // q: the newest `text_candidates` tickets whose text matches, sorted
    walk,          // everything else: at most `walk_budget` rows of an index in the sort order
};

struct sort_key {
    std::string expr;       // over the alias t
    bool descending = true;
};

sort_key key_of(ticket_sort sort) {
    switch (sort) {
    case ticket_sort::due: return {fmt::format("COALESCE(t.due_at, {})", std::numeric_limits<std::int64_t>::max()), false};
    case ticket_sort::created: return {"t.created_at", true};
    case ticket_sort::updated: return {"t.updated_at", true};
    case ticket_sort::relevance: return {"f.r", false};  // the text plan's bm25 score (lower is better)
    }
    return {"t.created_at", true};
}

// The key a query reads in: its sort's, turned around for a page before a cursor.
sort_key key_for(const ticket_query& q) {
    auto key = key_of(q.sort);
    if (q.backward) key.descending = !key.descending;
    return key;
}

// Relevance needs a text to be relevant to: without one, a list is in due order.
ticket_query normalized(const ticket_query& q) {
    auto n = q;
    if (n.sort == ticket_sort::relevance && !has_search_words(n.text)) n.sort = ticket_sort::due;
    return n;
}

// The index a bounded walk reads: the sort key, behind an equality on the most selective filter that has one.
struct walk_index {
    std::string name;
    std::string prefix;  // "" or "t.column = ?"
    std::optional<bind_value> value;
};

walk_index walk_index_for(const ticket_query& q) {
    const auto by = [&](const char* due_key, const char* created, const char* updated) {
        return q.sort == ticket_sort::due ? due_key : q.sort == ticket_sort::created ? created : updated;
    };
    if (q.assignee && q.sort != ticket_sort::updated)
        return {by("tickets_by_assignee_due_key", "tickets_by_assignee_created", ""), "t.assignee_id = ?", *q.assignee};
    if (!q.school.empty() && q.sort == ticket_sort::created)
        return {"tickets_by_school", "t.school_number = ?", q.school};
    if (q.statuses.size() == 1 && q.sort == ticket_sort::updated)
        return {"tickets_by_status_updated", "t.status = ?", std::string(to_string(q.statuses[0]))};
    // Resolved tickets are a few thousand of a million: their own small indexes (a literal, so that SQLite sees
    // the partial index's condition). Closed ones are nearly all tickets: the plain sort index finds them at once.
    if (q.statuses.size() == 1 && q.statuses[0] == status::resolved)
        return {by("tickets_resolved_by_due_key", "tickets_resolved_by_created", ""), "t.status = 'resolved'",
                std::nullopt};
    return {by("tickets_by_due_key", "tickets_by_created", "tickets_by_updated"), "", std::nullopt};
}

bool only_open_statuses(const std::vector<status>& statuses) {
    return !statuses.empty() && std::all_of(statuses.begin(), statuses.end(), is_open_status);
}

list_plan plan_of(const ticket_query& q) {
    if (has_search_words(q.text)) return list_plan::text;
    if (q.who.who == role::teacher) return list_plan::requester;
    if (q.open_only || only_open_statuses(q.statuses)) return list_plan::open_set;
    // Only a running clock can be at risk (at_risk_filter), and only a running clock has a due time: those are
    // the open tickets and the resolved ones whose first response is still owed.
    if (q.at_risk) return list_plan::running_set;
    if (!q.school.empty() && !q.assignee && q.sort != ticket_sort::created) return list_plan::school_set;
    return list_plan::walk;
}

// What a campus manager sees, as SQL over t: the tickets assigned to them or to a colleague they cover, those of
// their and that colleague's schools, and what they filed themselves for another manager's school (phone intake).
std::string manager_visibility(SQLite::Database& db, const viewer& v, std::vector<bind_value>& binds) {
    std::string ids;
    // The schools go in as bound values: SQLite tests each walked ticket against a list of values faster than
    // against a subquery's result (a queue page's walk: 70 instead of 125 µs).
    std::string marks;
    for (auto& school : schools_looked_after(db, v, ids)) {
        marks += marks.empty() ? "?" : ",?";
        binds.emplace_back(std::move(school));
    }
    binds.emplace_back(v.user_id);
    return fmt::format("(+t.assignee_id IN ({}) OR +t.school_number IN ({}) OR +t.requester_id = ?)", ids, marks);
}

// The sort indexes of a walk over all tickets carry the columns of a campus manager's visibility (schema 21), so
// the walk answers it from the index: a manager sees about one ticket in thirteen, and testing it on the table
// row cost a table lookup for each of the twelve others (tests/bench/profiling.md).
bool walk_tests_visibility(const ticket_query& q) {
    if (q.who.who != role::campus_manager) return false;
    const auto name = walk_index_for(q).name;
    return name == "tickets_by_due_key" || name == "tickets_by_created" || name == "tickets_by_updated";
}

// The filters of `q` and the viewer's visibility as SQL over t, for the rows the plan reads. Unary + keeps
// SQLite from answering a filter through another index than the plan's.
std::string residual_filters(SQLite::Database& db, const ticket_query& q, const business_calendar& calendar,
                             std::vector<bind_value>& binds) {
    std::string where = "1";
    const auto& v = q.who;
    switch (v.who) {
    case role::teacher:
        if (q.teachers_see_school_tickets) {
            where += " AND (t.requester_id = ? OR t.school_number = ?)";
            binds.emplace_back(v.user_id);
            binds.emplace_back(v.school_number);
        } else {
            where += " AND t.requester_id = ?";
            binds.emplace_back(v.user_id);
        }
        break;
    case role::campus_manager:
        // The walk tested it in its index already (walk_sql).
        where += plan_of(q) == list_plan::walk && walk_tests_visibility(q) ? " AND w.v"
                                                                            : " AND " + manager_visibility(db, v, binds);
        break;
    case role::dispatcher:
    case role::admin: break;
    }
    if (!q.statuses.empty()) {
        where += " AND +t.status IN (";
        for (std::size_t i = 0; i < q.statuses.size(); ++i) {
            where += i ? ",?" : "?";
            binds.emplace_back(std::string(to_string(q.statuses[i])));
        }
        where += ")";
    }
    if (q.open_only) where += " AND t.is_open = 1";
    if (!q.school.empty()) {
        where += " AND +t.school_number = ?";
        binds.emplace_back(q.school);
    }
    if (q.assignee) {
        where += " AND +t.assignee_id = ?";
        binds.emplace_back(*q.assignee);
    }
    if (q.prio) {
        where += " AND +t.priority = ?";
        binds.emplace_back(std::string(to_string(*q.prio)));
    }
    if (!q.category.empty()) {
        where += " AND +t.category = ?";
        binds.emplace_back(q.category);
    }
    if (q.breached || q.at_risk) {
        // The board's filters (storage/sla_filters.hpp); both at once select nothing, as a ticket is in one state.
        const auto at = sla_filter_instants_at(calendar, q.now);
        for (const auto* f : {q.breached ? &breached_filter() : nullptr, q.at_risk ? &at_risk_filter() : nullptr}) {
            if (!f) continue;
            where += " AND " + f->sql;
            f->bind_each(at, [&](time_ms value) { binds.emplace_back(value); });
        }
    }
    return where;
}

// Keyset pagination: (key, id) strictly after the cursor in the sort order.
std::string after_cursor(const ticket_query& q, const sort_key& key, std::string_view id,
                         std::vector<bind_value>& binds) {
    if (q.cursor.empty()) return "";
    const auto c = parse_cursor(q.cursor);
    const char* op = key.descending ? "<" : ">";
    binds.emplace_back(c.key);
    binds.emplace_back(c.key);
    binds.emplace_back(c.id);
    return fmt::format(" AND ({0} {1} ? OR ({0} = ? AND {2} {1} ?))", key.expr, op, id);
}

// The walk of a bounded list: the ids and keys of at most walk_budget rows after the cursor, in sort order.
// For a campus manager on an index that carries the visibility columns, `v` says whether they see the row
// (walk_tests_visibility): the budget still counts every row walked, and the list reads only the visible ones.
std::string walk_sql(SQLite::Database& db, const ticket_query& q, const sort_key& key, std::vector<bind_value>& binds) {
    const auto index = walk_index_for(q);
    const std::string visible = walk_tests_visibility(q) ? ", " + manager_visibility(db, q.who, binds) + " AS v" : "";
    std::string where = index.prefix.empty() ? "1" : index.prefix;
    if (index.value) binds.push_back(*index.value);
    where += after_cursor(q, key, "t.id", binds);
    const char* dir = key.descending ? "DESC" : "ASC";
    return fmt::format("SELECT t.id AS id, {0} AS k{5} FROM tickets t INDEXED BY {1} WHERE {2} ORDER BY {0} {3}, "
                       "t.id {3} LIMIT {4}", key.expr, index.name, where, dir, q.walk_budget, visible);
}

// The candidates of a text search: the tickets of the newest `text_candidates` index rows that match any of the
// words, among the tickets that have each word (`matches` queries, search_matches: one, or one more per word); FTS5
// walks its rowids backwards and stops, and a ticket's rows are ticket id << 20 | seq, so newest tickets first.
// `n`: how many of those rows are the ticket's (their sum is the rows looked at); when the list is sorted by
// relevance, `r` is the best row's bm25 score as an integer key (weights: the ticket number above all, then
// title, school and requester, the other texts).
std::string text_candidates_sql(const ticket_query& q, std::size_t matches) {
    const bool relevance = q.sort == ticket_sort::relevance;
    std::string each_word;
    for (std::size_t i = 1; i < matches; ++i)
        each_word += " AND rowid >> 20 IN (SELECT rowid >> 20 FROM ticket_search WHERE ticket_search MATCH ?)";
    return fmt::format("SELECT id, count(*) AS n{} FROM (SELECT rowid >> 20 AS id{} FROM ticket_search "
                       "WHERE ticket_search MATCH ?{} ORDER BY rowid DESC LIMIT {}) GROUP BY id",
                       relevance ? ", min(score) AS r" : "",
                       relevance ? ", CAST(bm25(ticket_search, 4.0, 1.0, 2.0, 3.0, 10.0, 2.0, 2.0, 1.0, 1.0, 0.0) "
                                   "* 1000000 AS INTEGER) AS score"
                                 : "",
                       each_word, q.text_candidates);
}

// What the open, running and requester sets add to the filters: the condition of the set itself, and its index.
std::string set_condition(const ticket_query& q, list_plan plan) {
    if (plan == list_plan::open_set && !q.open_only) return " AND t.is_open = 1";
    if (plan == list_plan::running_set)
        return fmt::format(" AND {} < {}", key_of(ticket_sort::due).expr, std::numeric_limits<std::int64_t>::max());
    return "";
}

const char* set_index(list_plan plan) {
    return plan == list_plan::open_set      ? "INDEXED BY tickets_open_by_due_key "
           : plan == list_plan::running_set ? "INDEXED BY tickets_by_due_key "
                                            : "";
}

std::string list_query_sql(SQLite::Database& db, const ticket_query& q, const business_calendar& calendar,
                           std::vector<bind_value>& binds) {
    const auto key = key_for(q);
    const char* dir = key.descending ? "DESC" : "ASC";
    // The requester's name by a join rather than a subquery per row: the same lookup, without a subprogram each.
    const auto columns = fmt::format("{}, {{}}, u.name, {}", ticket_columns, sla_columns);
    switch (plan_of(q)) {
    case list_plan::walk: {
        // CROSS JOIN keeps the walk first: SQLite never turns it around to drive from another index of t. The walk
        // runs as a co-routine that yields its rows in index order into the outer loop, so the answer comes out
        // in that order and the LIMIT stops the walk as soon as the page is full. An outer ORDER BY would make
        // SQLite read the whole budget and sort it on every request (list API 334 instead of 8,300 req/s); the plan
        // test checks for the co-routine and against a sort, and the paging test checks the order.
        const auto walk = walk_sql(db, q, key, binds);
        const auto filters = residual_filters(db, q, calendar, binds);
        return fmt::format("SELECT {} FROM ({}) AS w CROSS JOIN tickets t ON t.id = w.id LEFT JOIN users u "
                           "ON u.id = t.requester_id WHERE {} LIMIT ?",
                           fmt::format(fmt::runtime(columns), "w.k"), walk, filters);
    }
    case list_plan::school_set: {
        // Only ids and keys go through the sort; the page's rows are read after it.
        binds.emplace_back(q.school);
        auto filters = residual_filters(db, q, calendar, binds);
        filters += after_cursor(q, key, "t.id", binds);
        return fmt::format("SELECT {} FROM (SELECT t.id AS id, {} AS k FROM tickets t INDEXED BY tickets_by_school "
                           "WHERE t.school_number = ? AND {} ORDER BY {} {}, t.id {} LIMIT ?) AS s CROSS JOIN tickets t "
                           "ON t.id = s.id LEFT JOIN users u ON u.id = t.requester_id ORDER BY s.k {}, s.id {}",
                           fmt::format(fmt::runtime(columns), "s.k"), key.expr, filters, key.expr, dir, dir, dir,
                           dir);
    }
    case list_plan::text: {
        // As for a school: only ids and keys of the candidates go through the sort, the page's rows after it.
        auto matches = search_matches(db, q);
        const auto words = matches.size();
        for (auto& m : matches) binds.emplace_back(std::move(m));
        auto filters = residual_filters(db, q, calendar, binds);
        filters += after_cursor(q, key, "t.id", binds);
        return fmt::format("SELECT {} FROM (SELECT t.id AS id, {} AS k FROM ({}) AS f CROSS JOIN tickets t "
                           "ON t.id = f.id WHERE {} ORDER BY {} {}, t.id {} LIMIT ?) AS s CROSS JOIN tickets t "
                           "ON t.id = s.id LEFT JOIN users u ON u.id = t.requester_id ORDER BY s.k {}, s.id {}",
                           fmt::format(fmt::runtime(columns), "s.k"), key.expr, text_candidates_sql(q, words), filters,
                           key.expr, dir, dir, dir, dir);
    }
    case list_plan::open_set:
    case list_plan::running_set:
    case list_plan::requester: {
        const auto plan = plan_of(q);
        auto filters = residual_filters(db, q, calendar, binds) + set_condition(q, plan);
        filters += after_cursor(q, key, "t.id", binds);
        return fmt::format("SELECT {} FROM tickets t {}LEFT JOIN users u ON u.id = t.requester_id WHERE {} "
                           "ORDER BY {} {}, t.id {} LIMIT ?",
                           fmt::format(fmt::runtime(columns), key.expr), set_index(plan), filters, key.expr, dir, dir);
    }
    }
    throw std::logic_error("unknown list plan");
}

// The count of a list: over the set its plan reads (the cursor left out). Answers two columns: the rows looked
// at and those that match. A walk and a text search look at a bounded number of rows (`bound`), so when they
// looked at all of them more may match; the other sets stop counting one match past the walk budget (5,000) and
// then say "more than 5,000" (the pages count only when asked or searching: docs/lists.md).
std::string count_query_sql(SQLite::Database& db, const ticket_query& q, const business_calendar& calendar,
                            std::vector<bind_value>& binds, std::int64_t& bound) {
    const auto plan = plan_of(q);
    switch (plan) {
    case list_plan::walk: {
        bound = q.walk_budget;
        const auto walk = walk_sql(db, q, key_of(q.sort), binds);
        const auto filters = residual_filters(db, q, calendar, binds);
        // The set first in the text, as its values are bound first.
        return fmt::format("WITH w AS ({}) SELECT count(*), CAST(total({}) AS INTEGER) FROM w CROSS JOIN tickets t "
                           "ON t.id = w.id", walk, filters);
    }
    case list_plan::text: {
        bound = q.text_candidates;
        auto matches = search_matches(db, q);
        const auto words = matches.size();
        for (auto& m : matches) binds.emplace_back(std::move(m));
        const auto filters = residual_filters(db, q, calendar, binds);
        return fmt::format("WITH f AS ({}) SELECT CAST(total(f.n) AS INTEGER), CAST(total({}) AS INTEGER) FROM f "
                           "CROSS JOIN tickets t ON t.id = f.id", text_candidates_sql(q, words), filters);
    }
    case list_plan::school_set: {
        bound = q.walk_budget + 1;
        binds.emplace_back(q.school);
        const auto filters = residual_filters(db, q, calendar, binds);
        return fmt::format("SELECT count(*), min(count(*), {}) FROM (SELECT 1 FROM tickets t INDEXED BY "
                           "tickets_by_school WHERE t.school_number = ? AND {} LIMIT {})", q.walk_budget, filters, bound);
    }
    case list_plan::open_set:
    case list_plan::running_set:
    case list_plan::requester: {
        bound = q.walk_budget + 1;
        const auto filters = residual_filters(db, q, calendar, binds) + set_condition(q, plan);
        // The teacher's set: by requester (and school, where teachers see their school's tickets) as the list reads it.
        return fmt::format("SELECT count(*), min(count(*), {}) FROM (SELECT 1 FROM tickets t {}WHERE {} LIMIT {})",
                           q.walk_budget, set_index(plan), filters, bound);
    }
    }
    throw std::logic_error("unknown list plan");
}

void bind_all(raw_statement& s, const std::vector<bind_value>& binds) {
    int index = 1;
    for (const auto& value : binds) std::visit([&](const auto& x) { s.bind(index++, x); }, value);
}

} // namespace

reused_raw_statement prepare_list_query(SQLite::Database& db, const ticket_query& query, const business_calendar& calendar) {
    const auto q = normalized(query);
    std::vector<bind_value> binds;
    // Values are bound, so the SQL differs only by the shape of the filter: few enough to keep prepared.
    reused_raw_statement s(db, list_query_sql(db, q, calendar, binds));
    bind_all(*s, binds);
    s->bind(static_cast<int>(binds.size()) + 1, q.limit + 1);
    return s;
}

reused_raw_statement prepare_count_query(SQLite::Database& db, const ticket_query& query,
                                         const business_calendar& calendar, std::int64_t& bound) {
    auto q = normalized(query);
    q.cursor.clear();
    q.backward = false;
    std::vector<bind_value> binds;
    reused_raw_statement s(db, count_query_sql(db, q, calendar, binds, bound));
    bind_all(*s, binds);
    return s;
}

ticket_count count_tickets(SQLite::Database& db, const ticket_query& query, const business_calendar& calendar) {
    std::int64_t bound = 0;
    auto s = prepare_count_query(db, query, calendar, bound);
    if (!s->executeStep()) return {};
    return {s->getColumn(1).getInt64(), s->getColumn(0).getInt64() >= bound};
}

std::optional<std::string> walk_continuation(SQLite::Database& db, const ticket_query& q) {
    if (plan_of(q) != list_plan::walk) return std::nullopt;
    std::vector<bind_value> binds;
    const auto walk = walk_sql(db, q, key_for(q), binds);
    reused_statement s(db, fmt::format("SELECT k, id FROM ({}) LIMIT 1 OFFSET {}", walk, q.walk_budget - 1));
    int index = 1;
    for (const auto& value : binds) std::visit([&](const auto& x) { s->bind(index++, x); }, value);
    if (!s->executeStep()) return std::nullopt;
    return fmt::format("{}:{}", s->getColumn(0).getInt64(), s->getColumn(1).getInt64());
}

namespace {

// Rows whose stored evaluation cannot be carried forward: their SLA figures come from their events, read in one
// query. The ids go in as one JSON array, so the SQL stays the same and is prepared once per connection.
void evaluate_from_events(SQLite::Database& db, std::vector<listed_ticket>& rows,
                          const std::vector<std::size_t>& without_stored_sla, const sla_context& sla, time_ms now) {
    if (without_stored_sla.empty()) return;
    std::string ids;
    std::map<std::int64_t, std::vector<ticket_event>> events_of;
    for (std::size_t i : without_stored_sla) {
        ids += fmt::format("{}{}", ids.empty() ? "[" : ",", rows[i].t.id);
        events_of[rows[i].t.id];
    }
    static const auto events_sql = fmt::format("SELECT ticket_id, {} FROM ticket_events WHERE ticket_id IN "
                                               "(SELECT value FROM json_each(?)) ORDER BY ticket_id, seq",
                                               event_columns_without_body);
    reused_statement ev(db, events_sql);
    ev->bind(1, ids + "]");
    while (ev->executeStep()) events_of[ev->getColumn(0).getInt64()].push_back(read_event(*ev, 1));
    for (std::size_t i : without_stored_sla) {
        auto& item = rows[i];
        item.sla = evaluate_sla(events_of[item.t.id], sla.policy, sla.calendar, now);
    }
}

// A row of a list query (ticket columns, key, requester name, SLA columns), its SLA figures carried forward to `now`;
// notes the rows whose figures must come from their events instead.
listed_ticket read_listed_row(raw_statement& s, const sla_context& sla, time_ms now, std::vector<listed_ticket>& rows,
                              std::vector<std::size_t>& without_stored_sla) {
    ticket t = read_ticket(s);
    auto stored = read_stored_sla(s, 17, t, sla.calendar, now);
    if (!stored) without_stored_sla.push_back(rows.size());
    return {std::move(t), stored.value_or(sla_result{}), s.getColumn(16).getString()};
}

} // namespace

namespace {

// A page read from the cursor backwards is shown in the list's order; the positions of its first and last rows
// give the links to the pages around it.
void in_list_order(ticket_page& page, std::vector<std::int64_t>& keys, bool backward) {
    if (backward) {
        std::reverse(page.tickets.begin(), page.tickets.end());
        std::reverse(keys.begin(), keys.end());
    }
    if (!page.tickets.empty()) {
        page.first_position = fmt::format("{}:{}", keys.front(), page.tickets.front().t.id);
        page.last_position = fmt::format("{}:{}", keys.back(), page.tickets.back().t.id);
    }
}

} // namespace

ticket_page list_tickets(SQLite::Database& db, const ticket_query& query, const sla_context& sla) {
    const auto q = normalized(query);
    auto s = prepare_list_query(db, q, sla.calendar);
    ticket_page page;
    std::vector<std::int64_t> keys;
    std::vector<std::size_t> without_stored_sla;
    page.tickets.reserve(static_cast<std::size_t>(q.limit) + 1);
    keys.reserve(static_cast<std::size_t>(q.limit) + 1);
    while (s->executeStep()) {
        page.tickets.push_back(read_listed_row(*s, sla, q.now, page.tickets, without_stored_sla));
        keys.push_back(s->getColumn(15).getInt64());
    }
    if (static_cast<int>(page.tickets.size()) > q.limit) {
        page.tickets.pop_back();
        keys.pop_back();
        page.next_cursor = fmt::format("{}:{}", keys.back(), page.tickets.back().t.id);
        if (!without_stored_sla.empty() && without_stored_sla.back() == page.tickets.size())
            without_stored_sla.pop_back();
    } else if (auto rest = walk_continuation(db, q)) {
        // The walk read its budget without filling the page: the rows found so far, and where to go on.
        page.next_cursor = std::move(*rest);
    }
    evaluate_from_events(db, page.tickets, without_stored_sla, sla, q.now);
    in_list_order(page, keys, q.backward);
    return page;
}

bool listable_from_open_loads(const ticket_query& query) {
    const auto q = normalized(query);
    return q.who.who != role::teacher && plan_of(q) == list_plan::open_set &&
           (q.sort == ticket_sort::due || q.sort == ticket_sort::created || q.sort == ticket_sort::updated);
}

std::optional<ticket_page> list_from_open_loads(SQLite::Database& db, const open_loads& open,
                                                const ticket_query& query, const sla_context& sla) {
    const auto q = normalized(query);
    const auto& v = q.who;
    // manager_visibility's test: assigned to them or a colleague they cover, of their schools, or filed by them.
    const bool manager = v.who == role::campus_manager;
    std::vector<std::string> schools;
    std::vector<std::int64_t> assignees{v.manager_id};
    if (manager) {
        std::string ids;
        schools = schools_looked_after(db, v, ids);
        std::sort(schools.begin(), schools.end());
        assignees.insert(assignees.end(), v.covering.begin(), v.covering.end());
    }
    const auto at = sla_filter_instants_at(sla.calendar, q.now);
    const auto matches = [&](const open_ticket_entry& e) {
        if (manager && std::find(assignees.begin(), assignees.end(), e.assignee_id) == assignees.end() &&
            !std::binary_search(schools.begin(), schools.end(), e.school_number) && e.requester_id != v.user_id)
            return false;
        if (!q.statuses.empty() && std::find(q.statuses.begin(), q.statuses.end(), e.state) == q.statuses.end())
            return false;
        if ((!q.school.empty() && e.school_number != q.school) || (q.assignee && e.assignee_id != *q.assignee) ||
            (q.prio && e.prio != *q.prio) || (!q.category.empty() && e.category != q.category))
            return false;
        if (q.breached || q.at_risk) {
            const auto state = stored_sla_state(e.marks, at);
            if ((q.breached && state != sla_state::breached) || (q.at_risk && state != sla_state::at_risk)) return false;
        }
        return true;
    };
    // The entries in the list's order: the pass's due order, or its positions by filing or last change.
    const auto& entries = open.tickets;
    const std::vector<std::uint32_t>* order =
        q.sort == ticket_sort::created ? &open.by_created : q.sort == ticket_sort::updated ? &open.by_updated : nullptr;
    const auto size = entries.size();
    const auto at_position = [&](std::size_t i) -> const open_ticket_entry& { return entries[order ? (*order)[i] : i]; };
    const auto key_of_entry = [&](const open_ticket_entry& e) {
        return q.sort == ticket_sort::created ? e.created_at : q.sort == ticket_sort::updated ? e.updated_at : e.due_key;
    };
    // Keyset paging as after_cursor: strictly after (before, backwards) the cursor's (key, id) in the list's order
    // (ascending by due time, descending by filing and by last change).
    const bool descending = q.sort != ticket_sort::due;
    const auto precedes = [&](std::pair<time_ms, std::int64_t> x, std::pair<time_ms, std::int64_t> y) {
        return descending ? x > y : x < y;
    };
    std::size_t from = 0, to = size;  // forward: [from, size); backward: [0, to), read from its end
    if (!q.cursor.empty()) {
        const auto c = parse_cursor(q.cursor);
        const std::pair cursor{c.key, c.id};
        // The first position not before the cursor, and the first one after it (the order is sorted).
        std::size_t lo = 0, hi = size;
        while (lo < hi) {
            const auto mid = (lo + hi) / 2;
            const auto& e = at_position(mid);
            if (precedes({key_of_entry(e), e.id}, cursor)) lo = mid + 1;
            else hi = mid;
        }
        to = lo;
        from = lo < size && std::pair{key_of_entry(at_position(lo)), at_position(lo).id} == cursor ? lo + 1 : lo;
    }
    std::vector<std::int64_t> ids, keys;
    const auto limit = static_cast<std::size_t>(std::max(q.limit, 0)) + 1;
    const auto take = [&](const open_ticket_entry& e) {
        if (!matches(e)) return false;
        ids.push_back(e.id);
        keys.push_back(key_of_entry(e));
        return ids.size() == limit;
    };
    if (!q.backward)
        for (auto i = from; i < size && !take(at_position(i)); ++i) {}
    else
        for (auto i = to; i > 0 && !take(at_position(i - 1)); --i) {}
    ticket_page page;
    const bool more = ids.size() == limit;
    if (more) {
        ids.pop_back();
        keys.pop_back();
    }
    page.tickets = load_listed_tickets(db, ids, sla, q.now);
    if (page.tickets.size() != ids.size()) return std::nullopt;
    if (more) page.next_cursor = fmt::format("{}:{}", keys.back(), ids.back());
    in_list_order(page, keys, q.backward);
    return page;
}

std::vector<listed_ticket> load_listed_tickets(SQLite::Database& db, const std::vector<std::int64_t>& ids,
                                               const sla_context& sla, time_ms now) {
    if (ids.empty()) return {};
    static const auto sql = fmt::format("SELECT {}, 0, u.name, {} FROM tickets t LEFT JOIN users u ON u.id = "
                                        "t.requester_id WHERE t.id IN (SELECT value FROM json_each(?))",
                                        ticket_columns, sla_columns);
    reused_raw_statement s(db, sql);
    std::string list;
    for (auto id : ids) list += fmt::format("{}{}", list.empty() ? "[" : ",", id);
    s->bind(1, list + "]");
    std::vector<listed_ticket> rows;
    std::vector<std::size_t> without_stored_sla;
    rows.reserve(ids.size());
    while (s->executeStep()) rows.push_back(read_listed_row(*s, sla, now, rows, without_stored_sla));
    evaluate_from_events(db, rows, without_stored_sla, sla, now);
    // In the order of `ids`.
    std::map<std::int64_t, std::size_t> position;
    for (std::size_t i = 0; i < ids.size(); ++i) position.emplace(ids[i], i);
    std::sort(rows.begin(), rows.end(),
              [&](const listed_ticket& x, const listed_ticket& y) { return position[x.t.id] < position[y.t.id]; });
    return rows;
}

} // namespace campusdesk
