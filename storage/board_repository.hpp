// The help desk's overview queries (per manager, per school, recent open tickets) and absence records.
#pragma once

#include "core/dispatch_rules.hpp"
#include "core/routing.hpp"
#include "storage/sla_filters.hpp"

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

class business_calendar;

struct manager_load {
    std::int64_t manager_id = 0;
    int open = 0;
    int at_risk = 0;
    int breached = 0;
    std::optional<time_ms> oldest_open;
    int fresh = 0;  // status new
    bool operator==(const manager_load&) const = default;
};

struct school_load {
    std::string school_number;
    int open = 0;
    int network_open = 0;
    int breached = 0;
    time_ms newest = 0;
    bool operator==(const school_load&) const = default;
};

// The open tickets per assignee (with the new, at-risk and breached ones at `now`) and per school (with the
// network and breached ones), in one pass: at risk and breached by the filters of storage/sla_filters.hpp (the
// queue's), from the stored SLA projection.
// The same pass names the first `section_limit` open tickets by due time that are new, breached and at risk (the
// board's sections; the ids in due order).
// An open ticket as the pass reads it from the open tickets' index: what a list filters and orders by.
struct open_ticket_entry {
    std::int64_t id = 0;
    time_ms due_key = 0;  // COALESCE(due_at, max): the due order's key (undated last)
    std::int64_t assignee_id = 0;
    std::int64_t requester_id = 0;
    time_ms created_at = 0;
    time_ms updated_at = 0;
    std::string school_number;
    status state = status::new_;
    priority prio = priority::normal;
    std::string category;
    stored_sla_marks marks;
};

struct open_loads {
    std::vector<manager_load> managers;  // by manager id
    std::vector<school_load> schools;    // by school number
    std::vector<std::int64_t> fresh, breached, at_risk;
    std::vector<open_ticket_entry> tickets;  // every open ticket, in due order (due_key, id)
    // Positions in `tickets` in the lists' other orders: newest filed first, last changed first (key, then id,
    // descending).
    std::vector<std::uint32_t> by_created, by_updated;

    // Besides the rows, the answer depends on time only through the instants it compared with, and it stays the
    // answer until a ticket's state changes by the passing of time alone: a ticket not breached at `at` becomes
    // breached once breached_if_due_before passes its due time, one that is neither breached nor at risk becomes
    // at risk at its first risk time. The earliest of each (the maximum when there is none):
    sla_filter_instants at;
    time_ms next_breach_due = std::numeric_limits<time_ms>::max();
    time_ms next_risk_at = std::numeric_limits<time_ms>::max();
    std::size_t section_limit = 0;

    // Whether a pass at `later` would count and list exactly what this one did (given the same rows).
    bool same_at(const sla_filter_instants& later) const;
};
open_loads load_open_loads(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                           std::size_t section_limit);

// The number of changes committed so far to tickets that are or were open (insert, update, delete), by any
// connection or process: triggers count them in each change's own transaction (schema 22).
std::int64_t open_tickets_version(SQLite::Database& db);

// The board's and /metrics' pass over the open tickets, reused while it is exactly what a new pass would give: no
// change to an open ticket committed since (open_tickets_version, read in the same read transaction as the pass)
// and no ticket's state changed by time (open_loads::same_at). The live updates make every dispatcher's board
// reload on each change: the first reload after it makes the pass, the others share it. Never stale: a reuse
// answers what the pass would; the differential test compares them at the instants where states change.
class open_loads_memo {
public:
    // The loads at `now`, with at least `section_limit` ids per section where there are that many.
    std::shared_ptr<const open_loads> get(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                                          std::size_t section_limit);
    // For a list (list_from_open_loads): the open tickets of the committed state the caller's read snapshot sees,
    // whatever their states at `now` (a list computes those at its own instant). A new pass only when the last
    // began at least min_list_pass_interval ago; else nullptr, and the list reads its index as before: under a
    // stream of changes, a list never pays for a pass per request.
    std::shared_ptr<const open_loads> current(SQLite::Database& db, const business_calendar& calendar, time_ms now);
    // Passes made so far (tests: that the memo is used at all).
    std::uint64_t passes() const { return passes_.load(std::memory_order_relaxed); }

    static constexpr std::size_t board_sections = 50;
    static constexpr std::chrono::milliseconds min_list_pass_interval{100};

private:
    std::shared_ptr<const open_loads> pass(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                                           std::size_t section_limit, std::int64_t version);

    std::mutex mutex_;
    std::shared_ptr<const open_loads> last_;
    std::int64_t version_ = -1;
    std::chrono::steady_clock::time_point last_pass_{};
    std::atomic<std::uint64_t> passes_{0};
};
// Its SQL, for the query-plan test.
extern const std::string open_loads_query;
// The number of open tickets of each of `schools` that has any (of every school when `schools` is empty): the
// queue's counts, read from the open tickets' school index (a few hundred entries for a manager's schools).
std::map<std::string, int> count_open_by_school(SQLite::Database& db, const std::vector<std::string>& schools);
// The same from a pass's loads.
std::map<std::string, int> count_open_by_school(const open_loads& open, const std::vector<std::string>& schools);
// Its SQL for `schools` school numbers (bound ?1…), for the query-plan test.
std::string open_by_school_query(std::size_t schools);
// Open tickets filed since `since`, for outage detection.
std::vector<open_ticket_brief> load_open_since(SQLite::Database& db, time_ms since);

struct absence_record {
    std::int64_t id = 0;
    absence a;
};

// Current and future absences (ends_at > now), soonest first.
std::vector<absence_record> load_current_absences(SQLite::Database& db, time_ms now);
// Replaces the manager's current and future absences with this one. Returns the new id.
std::int64_t set_absence(SQLite::Database& db, const absence& a, time_ms now);
// Ends the manager's current absence now and drops planned ones. Returns whether there was one.
bool end_absence(SQLite::Database& db, std::int64_t manager_id, time_ms now);

} // namespace campusdesk
