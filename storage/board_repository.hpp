// The help desk's overview queries (per manager, per school, recent open tickets) and absence records.
#pragma once

#include "core/dispatch_rules.hpp"
#include "core/routing.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <map>
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
};

struct school_load {
    std::string school_number;
    int open = 0;
    int network_open = 0;
    int breached = 0;
    time_ms newest = 0;
};

// The open tickets per assignee (with the new, at-risk and breached ones at `now`) and per school (with the
// network and breached ones), in one pass: at risk and breached by the filters of storage/sla_filters.hpp (the
// queue's), from the stored SLA projection.
// The same pass names the first `section_limit` open tickets by due time that are new, breached and at risk (the
// board's sections; the ids in due order).
struct open_loads {
    std::vector<manager_load> managers;  // by manager id
    std::vector<school_load> schools;    // by school number
    std::vector<std::int64_t> fresh, breached, at_risk;
};
open_loads load_open_loads(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                           std::size_t section_limit);
std::vector<manager_load> load_manager_loads(SQLite::Database& db, const business_calendar& calendar, time_ms now);
std::vector<school_load> load_school_loads(SQLite::Database& db, const business_calendar& calendar, time_ms now);
// Its SQL, for the query-plan test.
extern const std::string open_loads_query;
// The number of open tickets of each of `schools` that has any (of every school when `schools` is empty): the
// queue's counts, read from the open tickets' school index (a few hundred entries for a manager's schools).
std::map<std::string, int> count_open_by_school(SQLite::Database& db, const std::vector<std::string>& schools);
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
