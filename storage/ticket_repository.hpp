// Tickets in SQLite: the append-only event history and the projection row kept in the same transaction.
#pragma once

#include "core/sla.hpp"
#include "core/ticket_rules.hpp"
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <array>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace campusdesk {

class business_calendar;
struct sla_policy;

// What the SLA projection needs: the policy and calendar in force.
struct sla_context {
    const sla_policy& policy;
    const business_calendar& calendar;
};

// A year's ticket numbers are used up: its counter stands at max_ticket_sequence (only an import of a number
// near the end gets it there). Nothing of the ticket is written.
struct ticket_numbers_exhausted : std::runtime_error {
    explicit ticket_numbers_exhausted(int year)
        : std::runtime_error("the ticket numbers of " + std::to_string(year) + " are used up"), year(year) {}
    int year;
};

// Inserts a ticket and its `created` event. An empty `t.number` gets the next number of `year` (throws
// ticket_numbers_exhausted after the last); a given number must be canonical and raises the year's counter.
// Returns the ticket as stored (id, number set).
ticket insert_ticket(SQLite::Database& db, ticket t, ticket_event created, int year, const sla_context& sla,
                     time_ms now);

// Appends an event (seq = next) and rebuilds the projection and its SLA columns from the whole history.
// Returns the ticket as it now stands.
ticket append_event(SQLite::Database& db, const ticket& t, ticket_event e, const sla_context& sla,
                          time_ms now);

// Recomputes the stored SLA columns of every ticket from its history and notes the settings they now follow.
std::size_t recompute_all_sla(SQLite::Database& db, const sla_context& sla, time_ms now);
// Notes that every ticket's stored SLA columns follow `sla` (recompute_all_sla does; so does a writer that
// computed all of them, such as the benchmark generator).
void note_sla_settings(SQLite::Database& db, const sla_context& sla);
// Recomputes them only if the SLA policy or calendar differ from those they were computed with (a changed
// config, a database from an older campusdesk); returns how many tickets were recomputed, if any were.
std::optional<std::size_t> recompute_sla_if_settings_changed(SQLite::Database& db, const sla_context& sla, time_ms now);

std::optional<ticket> find_ticket(SQLite::Database& db, std::string_view number);
std::optional<ticket> find_ticket_by_id(SQLite::Database& db, std::int64_t id);
std::vector<ticket_event> load_events(SQLite::Database& db, std::int64_t ticket_id);
// Those of `numbers` that tickets have already.
std::set<std::string, std::less<>> taken_ticket_numbers(SQLite::Database& db, const std::vector<std::string>& numbers);
// The numbers of at most `at_most` resolved tickets whose latest resolution was at or before
// `resolved_at_or_before` (the reopen window's start): those that close by themselves.
std::vector<std::string> find_resolved_before(SQLite::Database& db, time_ms resolved_at_or_before, std::size_t at_most);

// relevance: the best matches of a text search first (FTS5's bm25 over the candidates); without a text it is `due`.
enum class ticket_sort { due, created, updated, relevance };
// The API's sorts (shared/API.md: due, created, updated).
std::optional<ticket_sort> parse_ticket_sort(std::string_view text);

// A list page reads at most this many rows of an index in the sort order (docs/lists.md): a page that has not
// found `limit` matches by then answers with those it found and a next_cursor that goes on from there.
inline constexpr int list_walk_budget = 5000;
// A text search (q) looks at the newest this many tickets whose text matches, then filters and sorts them.
inline constexpr int list_text_candidates = 5000;

struct ticket_query {
    viewer who;
    bool teachers_see_school_tickets = false;
    std::vector<status> statuses;           // empty: any
    bool open_only = false;                 // status not resolved/closed
    std::string school;
    std::optional<std::int64_t> assignee;   // manager id
    std::optional<priority> prio;
    std::string category;
    // Free text over what a help-desk member would type (docs/lists.md): title, description, room, inventory
    // number, ticket number (also the bare "302"), school number and name, requester, the replies a teacher sees
    // and, for staff, internal notes.
    std::string text;
    bool breached = false;                  // state_of(sla, now) == breached (core/sla.hpp)
    bool at_risk = false;                   // state_of(sla, now) == at_risk
    ticket_sort sort = ticket_sort::created;
    int limit = 50;
    std::string cursor;                     // from the previous page's next_cursor
    bool backward = false;                  // the page before `cursor` (paging back): rows before it, in order
    time_ms now = 0;
    int walk_budget = list_walk_budget;     // see list_walk_budget (tests make it small)
    int text_candidates = list_text_candidates;
};

// A listed ticket with its SLA figures at the query's `now` and its requester's name.
struct listed_ticket {
    ticket t;
    sla_result sla;
    std::string requester_name;
};

struct ticket_page {
    std::vector<listed_ticket> tickets;
    // Forward: where the next page starts (empty: last page). Backward: where the page before starts (empty: this
    // is the first page). Either may come with fewer rows than `limit` when a bounded walk ran out (docs/lists.md).
    std::string next_cursor;
    // The positions of the first and last rows (empty without rows): a link back is {first, backward}, a link on
    // after a backward page is {last}.
    std::string first_position, last_position;
};

// The tickets `query.who` may see, filtered, sorted and paged by keyset cursor, with their SLA figures at
// `query.now`: carried forward from the stored evaluation, or (where that is not exact) from their events.
ticket_page list_tickets(SQLite::Database& db, const ticket_query& query, const sla_context& sla);

// The same list for a query of staff over the open tickets (the queue, the API's open statuses) in due, filing or
// last-change order, from the board's pass over the open tickets (storage/board_repository.hpp) instead of their
// index: the filters and the visibility tested on its entries, then the page's rows read by id. The caller holds
// one read snapshot (storage/read_snapshot.hpp) for the pass's version and the rows; the differential test checks
// it against list_tickets. nullopt where a row is missing (a snapshot not held).
struct open_loads;
bool listable_from_open_loads(const ticket_query& query);
std::optional<ticket_page> list_from_open_loads(SQLite::Database& db, const open_loads& open,
                                                const ticket_query& query, const sla_context& sla);

// How many tickets a list query finds (its cursor ignored), counted over the same bounded set its plan reads, and
// for the other plans up to one past the walk budget: `more` when that set was cut off, so that there may be more
// than `count`. A second query: the pages run it only with a search text or when asked (docs/lists.md).
struct ticket_count {
    std::int64_t count = 0;
    bool more = false;
};
ticket_count count_tickets(SQLite::Database& db, const ticket_query& query, const business_calendar& calendar);
// The query of count_tickets, prepared and bound (plan tests); `bound`: how many rows it looks at, at most.
reused_raw_statement prepare_count_query(SQLite::Database& db, const ticket_query& query,
                                         const business_calendar& calendar, std::int64_t& bound);

// The search index holds no copy of the texts, and FTS5 removes a row only given the values it was indexed with
// (docs/lists.md "Search"). So a write that changes what a ticket's rows were indexed with (its texts, event
// bodies, requester, school name, a phone caller) calls unindex_ticket_search before it and reindex_ticket_search
// after it, in the same transaction; the latter takes the names and scope as they stand then. Creates and events
// index themselves.
void unindex_ticket_search(SQLite::Database& db, std::int64_t ticket_id);
void reindex_ticket_search(SQLite::Database& db, std::int64_t ticket_id);

// The search-index rows that the writer's batch adds, kept until the batch's commands have run and then inserted
// together (storage/write_queue.cpp says why). While one is open on this thread for a connection, insert_ticket,
// append_event and reindex_ticket_search keep their new rows here instead of inserting them; unindex_ticket_search
// inserts what is kept first, so that the rows it removes are in the index. Without one, rows go in at once.
class search_index_batch {
public:
    explicit search_index_batch(SQLite::Database& db);
    ~search_index_batch();  // drops what was not written
    search_index_batch(const search_index_batch&) = delete;
    search_index_batch& operator=(const search_index_batch&) = delete;

    // Where the batch stands: taken before a command's savepoint, given back after rolling back to it.
    struct mark {
        std::size_t kept = 0, written = 0;
    };
    mark position() const { return {rows_.size(), written_}; }
    // After ROLLBACK TO the command's savepoint: its rows are dropped, and the rows of earlier commands that were
    // written during it (before a removal) were rolled back with it, so they are written again later.
    void roll_back_to(mark m);
    // Inserts the rows kept and not yet written (before COMMIT, after the last savepoint).
    void write();

    struct row {
        std::int64_t rowid = 0;
        std::array<std::string, 10> columns;  // as search_columns in ticket_repository.cpp
    };
    // The batch open on this thread for `db`, or none.
    static search_index_batch* open_for(SQLite::Database& db);
    void keep(row r) { rows_.push_back(std::move(r)); }

private:
    SQLite::Database& db_;
    search_index_batch* outer_;
    std::vector<row> rows_;
    std::size_t written_ = 0;
};

// The tickets of `ids` as list rows (with SLA figures at `now` and the requester's name), in the order of `ids`;
// absent ids are left out. For lists whose order was decided elsewhere (the board's sections).
std::vector<listed_ticket> load_listed_tickets(SQLite::Database& db, const std::vector<std::int64_t>& ids,
                                               const sla_context& sla, time_ms now);

// The page query of list_tickets, prepared (or reused) and bound (tests check its plan with EXPLAIN QUERY PLAN).
// The calendar places the breached / at-risk filters' instants (storage/sla_filters.hpp).
reused_raw_statement prepare_list_query(SQLite::Database& db, const ticket_query& query,
                                        const business_calendar& calendar);

struct cursor_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

} // namespace campusdesk
