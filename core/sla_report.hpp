// The monthly SLA export of SLA.md §4: one row per ticket created in a month, and its summaries. Pure.
#pragma once

#include "core/business_calendar.hpp"
#include "core/sla.hpp"
#include "core/sla_policy.hpp"
#include "core/ticket.hpp"

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

// A calendar month of the business calendar's zone.
struct report_month {
    int year = 0;
    unsigned month = 0;  // 1..12
    friend auto operator<=>(const report_month&, const report_month&) = default;
};

// "YYYY-MM" exactly (month 01..12, year 1970..2999); anything else is nullopt.
std::optional<report_month> parse_report_month(std::string_view text);
std::string to_string(report_month m);  // "2026-10"
report_month next_month(report_month m);
report_month previous_month(report_month m);
// The local month `t` falls in.
report_month month_of(time_ms t, const date::time_zone* zone);

// The export's instants: the month is [start, end) in local time; "now" is min(end, real now) (SLA.md §4).
struct report_period {
    time_ms start = 0;
    time_ms end = 0;
    time_ms now = 0;
};
report_period period_of(report_month m, const date::time_zone* zone, time_ms real_now);

// What the report needs of one ticket besides the rules: its fixed facts and its whole history.
struct report_ticket {
    std::string number;
    std::string school_number;
    std::string school_name;
    std::string category;
    std::vector<ticket_event> events;  // any order; ordered by (at, seq) here
};

// A campus manager as the report names them (events carry the managers row id).
struct report_manager {
    std::int64_t id = 0;
    std::string login;
    std::string name;
};

// One row of SLA.md §4, as the history stood at the period's "now".
struct sla_report_row {
    std::string ticket;
    std::string school_number;
    std::string school_name;
    std::int64_t manager_id = 0;  // assignee at "now"
    std::string campus_manager;   // their login; empty if the id is unknown
    priority prio = priority::normal;  // in force at "now"
    std::string category;
    time_ms created_at = 0;
    std::optional<time_ms> first_response_at;  // set iff the first-response clock has ended
    std::int64_t first_response_minutes = 0;   // used business minutes up to the end or "now"
    int first_response_target = 0;
    sla_verdict first_response_verdict = sla_verdict::running;
    std::optional<time_ms> resolved_at;        // set iff the resolution clock has ended
    std::int64_t resolution_minutes = 0;       // used business minutes up to the end or "now"
    int resolution_target = 0;
    sla_verdict resolution_verdict = sla_verdict::running;
    std::int64_t paused_minutes = 0;
    int reopen_count = 0;
    bool escalated = false;
    status status_at_end = status::new_;       // status at "now"

    bool open_at_end() const { return status_at_end != status::resolved && status_at_end != status::closed; }
    bool breached() const {
        return first_response_verdict == sla_verdict::breached || resolution_verdict == sla_verdict::breached;
    }
};

// The figures of a group of rows (a manager's, a school's, a priority's, a category's, or all).
struct sla_summary {
    std::string key;    // manager login, school number, priority id, category id; empty for the total
    std::string label;  // manager name, school name; empty where the key says it all
    std::int64_t tickets = 0;
    std::int64_t first_response_met = 0;
    std::int64_t first_response_breached = 0;
    std::int64_t resolution_met = 0;
    std::int64_t resolution_breached = 0;
    std::optional<double> first_response_met_percent;  // 100 * met / (met + breached); nullopt if both are 0
    std::optional<double> resolution_met_percent;
    std::optional<std::int64_t> median_first_response_minutes;  // over the rows whose clock has ended
    std::optional<std::int64_t> median_resolution_minutes;
    std::int64_t open_at_end = 0;  // status at "now" neither resolved nor closed
    std::int64_t breaches = 0;     // rows with at least one breached clock
};

struct sla_report {
    report_month month;
    report_period period;
    std::vector<sla_report_row> rows;  // by created_at, then ticket number
    sla_summary total;
    std::vector<sla_summary> per_manager;   // every given manager (by login), then unknown assignees
    std::vector<sla_summary> per_school;    // schools with tickets, by number
    std::vector<sla_summary> per_priority;  // all four, critical first
    std::vector<sla_summary> per_category;  // categories with tickets, by id
};

// Builds the report of `month` at `real_now`. Tickets whose `created` event is not in the month (local time), or
// lies after "now", are left out, so callers may pass a superset. Events after "now" are ignored.
// Readings where SLA.md is silent:
//  - `*_minutes` are always filled: the business minutes used up to the clock's end, or up to "now" while it
//    runs or pauses (what its verdict is judged on); `first_response_at`/`resolved_at` stay empty until it ends;
//  - met % counts only decided clocks (met or breached), as SLA.md defines for resolution; a running clock past
//    its target is breached and counts;
//  - medians are taken over the rows whose clock has ended, of their whole used minutes; with an even count the
//    mean of the two middle values, rounded down to a whole minute; nullopt for no such row;
//  - `breaches` counts tickets with at least one breached clock (a ticket breaching both counts once).
sla_report build_sla_report(report_month month, std::span<const report_ticket> tickets,
                            std::span<const report_manager> managers, const sla_policy& policy,
                            const business_calendar& calendar, time_ms real_now);

// The median as defined above (values need not be sorted).
std::optional<std::int64_t> median_minutes(std::vector<std::int64_t> values);

// The summary of any set of rows (key and label left empty).
sla_summary summarize(std::span<const sla_report_row* const> rows);

} // namespace campusdesk
