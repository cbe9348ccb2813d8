// Maintenance plans (issue 18): planned work at schools, not incidents. A plan generates one task per school and
// period, due in school weeks; this file holds the rules (school days and weeks, the periods a plan has by a given
// day, who may do what, the month's figures) without I/O (docs/maintenance.md).
#pragma once

#include "core/business_calendar_config.hpp"
#include "core/devices.hpp"
#include "core/ticket.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

// Days since 1970-01-01 (the calendar's own numbering, so that comparisons and weeks are plain arithmetic).
std::int64_t day_number_of(local_date d);
local_date date_of_day_number(std::int64_t n);

// School days: Monday to Friday, not a public holiday of the state, not a closure day, not in the school holidays
// (whatever the help desk's working hours and its `school_holidays_are_business_days`: a school's week is its
// lessons). A school week is a week (Monday to Sunday) with at least one school day. Only dates matter, so
// daylight saving time plays no part. Immutable after construction; safe to share between threads.
class school_calendar {
public:
    // Throws std::invalid_argument for an unknown state or an invalid date in the config.
    explicit school_calendar(const business_calendar_config& config);

    bool is_school_day(local_date day) const;
    // The last school day of the `n`-th school week counted from `start` (n >= 1): the week of `start` counts as the
    // first when it has a school day on or after `start`, else the next school week is the first.
    local_date last_day_of_school_week(local_date start, int n) const;
    // The last school day before `day` (at most ten years back; else throws std::out_of_range).
    local_date last_school_day_before(local_date day) const;
    // The school holiday periods (first day, name) in date order; a period split into lines of the same name
    // (docs/calendars.md) is one period starting at its first line.
    const std::vector<date_range>& holiday_periods() const { return periods_; }

private:
    bool is_school_day_number(std::int64_t day) const;
    std::string state_;
    std::vector<std::int64_t> closure_days_;                              // sorted
    std::vector<std::pair<std::int64_t, std::int64_t>> school_holidays_;  // inclusive, sorted
    std::vector<date_range> periods_;
};

// How a plan's due dates follow: every `weeks` school weeks from its start, or on the last school day before each
// school holiday period whose name begins with `holiday_name` ("Sommerferien"), its task appearing `weeks` weeks
// ahead.
enum class maintenance_rule { every_school_weeks, before_holidays };
std::string_view to_string(maintenance_rule r);
std::optional<maintenance_rule> parse_maintenance_rule(std::string_view text);

struct maintenance_plan {
    std::int64_t id = 0;
    std::string title;
    std::string description;
    std::string school_number;               // empty: every school (with a device of `kind`, if one is given)
    std::optional<device_kind> kind;         // the devices the work is about; none: the school as a whole
    maintenance_rule rule = maintenance_rule::every_school_weeks;
    int weeks = 12;                          // interval (every_school_weeks) or lead time (before_holidays)
    std::string holiday_name;                // before_holidays
    local_date start{};
    bool active = true;
    std::int64_t created_by = 0;
    time_ms created_at = 0;
};

// Limits of a plan's figures (the form and the API say them).
inline constexpr int max_plan_weeks = 80;
inline constexpr std::size_t max_plan_title = 120;
inline constexpr std::size_t max_plan_description = 2000;
inline constexpr std::size_t max_task_text = 1000;

// A field's error in German, for the page and the API ({field, message}).
struct maintenance_field_error {
    std::string field;
    std::string message;
};
// Checks a plan's own fields (title, weeks, rule, holiday name, start within a year back and two years ahead of
// `today`); the school and the kind are the caller's (they need the directory). Empty: fine.
std::vector<maintenance_field_error> check_maintenance_plan(const maintenance_plan& p, const school_calendar& cal,
                                                            local_date today);

// One period of a plan: the task that is due on `due`, which exists from `opens` on. `period` names it for good
// (every_school_weeks: 0, 1, 2 …; before_holidays: the day number of the holidays' first day), so generating
// twice never makes two tasks of one period.
struct maintenance_period {
    std::int64_t period = 0;
    local_date opens{};
    local_date due{};
    friend bool operator==(const maintenance_period&, const maintenance_period&) = default;
};
// The periods of `p` that have opened by `today` (at most `limit`, the latest ones when there are more: a plan
// whose start lies far back does not flood the visit plan with old periods).
std::vector<maintenance_period> open_periods(const maintenance_plan& p, const school_calendar& cal, local_date today,
                                             std::size_t limit = 8);

enum class task_status { open, done };
std::string_view to_string(task_status s);
std::optional<task_status> parse_task_status(std::string_view text);

struct maintenance_task {
    std::int64_t id = 0;
    std::int64_t plan_id = 0;
    std::string plan_title;
    std::optional<device_kind> kind;
    std::string school_number;
    std::int64_t period = 0;
    local_date due{};          // in force (after postponements)
    local_date planned_due{};  // as the plan first set it
    std::int64_t assignee_id = 0;  // the school's campus manager (0: none)
    task_status state = task_status::open;
    time_ms done_at = 0;
    std::optional<local_date> done_on;  // the local day it was done (whether on time)
    std::int64_t done_by = 0;
    std::string note;
    int postponements = 0;
    std::string postpone_reason;  // the latest
};

// Whether `r` may create and end plans (the help desk and admins), and do or postpone tasks (staff; a campus
// manager only at their schools: the caller's visibility).
bool may_plan_maintenance(role r);
bool may_work_on_tasks(role r);

// Checks a postponement to `to` with `reason` of a task due on `due` at `today`: the reason is required, the new
// date a school day after the current due date and today, at most a year ahead.
std::vector<maintenance_field_error> check_postponement(local_date due, std::optional<local_date> to,
                                                        std::string_view reason, const school_calendar& cal,
                                                        local_date today);

// The note of a done task: optional, multi-line, at most max_task_text characters.
std::optional<maintenance_field_error> check_task_note(std::string_view note);

// The month's maintenance figures for the report: the tasks due in the month (by the due date in force), done by
// their due date, done later, open past their due date at `as_of`, open and not yet due, postponed at least once.
struct maintenance_figures {
    std::int64_t due = 0, on_time = 0, late = 0, overdue = 0, open = 0, postponed = 0;
    // On time among the done ones and the overdue: nullopt without such tasks.
    std::optional<double> on_time_percent() const;
};
struct maintenance_group {
    std::string key;    // manager id or school number
    std::string label;  // their name
    maintenance_figures figures;
};
struct maintenance_report {
    local_date as_of{};
    maintenance_figures total;
    std::vector<maintenance_group> per_manager;  // by label
    std::vector<maintenance_group> per_school;   // by label
    std::vector<maintenance_task> tasks;         // by due date, school
};
// `tasks`: those due in the month. `as_of`: the report's day (its "now", the month's last day once it is over).
// The names come from the callbacks (the directory), so that the rule stays without I/O.
maintenance_report build_maintenance_report(std::vector<maintenance_task> tasks, local_date as_of,
                                            const std::function<std::string(std::int64_t)>& manager_name,
                                            const std::function<std::string(const std::string&)>& school_name);

} // namespace campusdesk
