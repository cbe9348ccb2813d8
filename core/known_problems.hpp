// Known problems (Störungen) and merged or linked tickets (issue 24): who may declare, join, resolve, merge and link,
// a problem's own SLA clocks, and how the monthly report counts problems. Pure: no storage, no clock.
#pragma once

#include "core/sla.hpp"
#include "core/ticket_actions.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace campusdesk {

// Limits of what staff type for teachers and teachers type when they join.
inline constexpr std::size_t problem_title_max = 200;
inline constexpr std::size_t problem_text_max = 2000;
inline constexpr std::size_t affected_room_max = 60;
inline constexpr std::size_t affected_note_max = 500;

// A known problem as stored. Its parts are the tickets attached to it and the teachers who joined it ("Ich bin auch
// betroffen"), who file no ticket.
struct known_problem {
    std::int64_t id = 0;
    std::string title;                  // the short text teachers read
    std::string description;            // optional, longer
    bool all_schools = false;           // e.g. the city's network
    std::vector<std::string> schools;   // by number; empty iff all_schools
    priority prio = priority::critical; // the highest of the declared one and its tickets' (problem_priority)
    time_ms started_at = 0;             // the first report among its parts, or the declaration
    time_ms declared_at = 0;
    std::int64_t declared_by = 0;
    std::optional<time_ms> expected_at; // when staff expect it to be fixed; shown to teachers
    std::optional<time_ms> resolved_at;
    std::int64_t resolved_by = 0;
    std::string resolution;

    bool open() const { return !resolved_at.has_value(); }
    bool concerns(std::string_view school_number) const;
};

// A ticket attached to a problem (its facts at the moment it was attached).
struct problem_part {
    std::string ticket;
    std::int64_t requester_id = 0;
    priority prio = priority::normal;
    time_ms created_at = 0;
};

// "As a ticket of the highest priority of its parts": critical beats high beats normal beats low.
priority problem_priority(priority declared, std::span<const problem_part> parts);
// The priority a declaration starts from: the one chosen; none chosen, its tickets' (the lowest, so that
// problem_priority raises it to theirs), or critical for a problem declared without tickets (an outage stops teaching).
priority declared_priority(std::string_view chosen, bool has_tickets);
// The earliest report among the parts, or the declaration when none came earlier.
time_ms problem_start(time_ms declared_at, std::span<const problem_part> parts);

// The problem read as one ticket for SLA.md §3, so the SLA engine judges it by the same rules as any ticket:
//  - `created` at started_at with the problem's priority (targets always follow the current priority, §3.4);
//  - the first response is the declaration, a staff `public_reply` at declared_at: from then on every teacher of
//    the schools sees the notice (a problem declared by hand before any report is answered at once);
//  - the resolution clock ends with a staff `resolved` at resolved_at.
// No status pauses a problem: it waits on nobody.
std::vector<ticket_event> problem_history(const known_problem& p);
sla_result evaluate_problem_sla(const known_problem& p, const sla_policy& policy, const business_calendar& calendar,
                                time_ms now);

// What staff enter to declare a problem, before validation.
struct problem_draft {
    std::string title;
    std::string description;
    bool all_schools = false;
    std::vector<std::string> schools;
    std::string priority;           // empty: critical (an outage stops teaching)
    std::optional<time_ms> expected_at;
    std::vector<std::string> tickets;  // ticket numbers to attach (e.g. an outage suggestion's)
};

// Field errors of a declaration by `who` at `now`; `known_school` answers whether a school number exists.
// Staff only (a teacher gets a "forbidden" error on field ""), a title, at least one school or all, an expected
// time not in the past, at most 100 schools and 200 tickets.
std::vector<field_error> validate_problem_draft(const problem_draft& d, role who, time_ms now,
                                                const std::function<bool(std::string_view)>& known_school);

// Whether `v` may join (affected) or is refused: a teacher (or staff filing for a school) of a school the problem
// concerns, the problem open, room and note within their limits.
std::optional<action_error> check_join(const known_problem& p, const viewer& v, std::string_view school_number,
                                       std::string_view room, std::string_view note);
// Resolving: staff only, the problem open, a resolution text for the teachers.
std::optional<action_error> check_resolve(const known_problem& p, const viewer& v, std::string_view resolution);

// Merging `duplicate` into `main`. The caller states what the user may see (invisible is refused as not found
// before this is asked) and, for each ticket, the chain of tickets it is merged into (empty: not merged).
// Refusals: staff only; not into itself; no cycle (main merged, directly or through others, into the duplicate);
// not into a merged or closed ticket; not a duplicate that is merged or closed already.
struct merge_facts {
    const ticket& main;
    const ticket& duplicate;
    std::span<const std::string> main_merged_into;
    std::span<const std::string> duplicate_merged_into;
};
std::optional<action_error> check_merge(const viewer& v, const merge_facts& f, std::string_view note,
                                        std::size_t max_text);

// Linking related tickets (same device, room or partner case): staff only, not to itself, not twice.
enum class link_kind { related, merged };
std::string_view to_string(link_kind k);
std::optional<link_kind> parse_link_kind(std::string_view text);
std::optional<action_error> check_link(const viewer& v, const ticket& from, const ticket& to, bool already_linked);

// --- the monthly report (issue 24): problems are counted apart from tickets ------------------------------------

// A problem as the report needs it: the problem, the tickets attached to it and how many teachers it affected.
struct report_problem {
    known_problem problem;
    std::vector<std::string> tickets;   // attached ticket numbers
    std::int64_t teachers_affected = 0; // distinct: requesters of attached tickets and those who joined
};

struct problem_report_row {
    std::int64_t id = 0;
    std::string title;
    std::string schools;          // "alle" or the numbers, comma-separated
    priority prio = priority::critical;
    time_ms started_at = 0;
    time_ms declared_at = 0;
    std::optional<time_ms> resolved_at;
    std::int64_t duration_minutes = 0;  // wall-clock minutes from start to resolution (or "now")
    sla_result sla;                     // its own clocks at "now"
    std::int64_t tickets = 0;
    std::int64_t teachers_affected = 0;
};

struct problem_summary {
    std::int64_t problems = 0;
    std::int64_t resolved = 0;
    std::int64_t breaches = 0;              // problems with a breached clock (each counts once)
    std::optional<std::int64_t> median_resolution_minutes;  // business minutes, over resolved problems
    std::int64_t total_duration_minutes = 0;
    std::int64_t tickets = 0;               // tickets attached to these problems
    std::int64_t teachers_affected = 0;
    // Of the month's ticket rows (SLA.md §4, unchanged): those attached to a problem, and their breaches, which
    // the problem's own row stands for.
    std::int64_t ticket_rows_in_problems = 0;
    std::int64_t ticket_breaches_in_problems = 0;
};

struct problem_report {
    std::vector<problem_report_row> rows;  // by started_at, then id
    problem_summary summary;
};

// The problems whose start lies in [period_start, period_now) (as tickets by their `created`), judged at
// period_now with events after it left out (a problem resolved later is still running at month end).
// `ticket_breached` tells for each attached ticket number whether its row in the month's report is breached
// (nullopt: not in this month's rows).
problem_report build_problem_report(std::span<const report_problem> problems, time_ms period_start, time_ms period_now,
                                    const sla_policy& policy, const business_calendar& calendar,
                                    const std::function<std::optional<bool>(const std::string&)>& ticket_breached);

} // namespace campusdesk
