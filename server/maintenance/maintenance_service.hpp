// Maintenance plans and tasks (issue 18, docs/maintenance.md) for the API, the pages, the visit plan and the report:
// who may do what, the checks, task generation (on a plan's creation and by the daily job), done and postponed.
#pragma once

#include "core/sla_report.hpp"
#include "server/tickets/ticket_service.hpp"
#include "storage/maintenance_repository.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

// The schools whose tasks `v` sees: nullopt for all (the help desk, admins), a campus manager's schools (and those
// of a colleague they stand in for), none for teachers.
std::optional<std::vector<std::string>> maintenance_schools_of(const app& a, const viewer& v);

// A plan as the API and the form send it: texts, checked here (422 naming every bad field).
struct plan_input {
    std::string title, description, school_number, device_kind, rule, holiday_name, start_date;
    std::optional<int> weeks;  // nullopt: missing or not a whole number
};
// Creates a plan (the help desk and admins, else 403) and at once its tasks that are open already.
net::awaitable<outcome<maintenance_plan>> create_maintenance_plan(app& a, const user& who, plan_input in);
// Ends a plan (403, 404, 409 when ended already).
net::awaitable<outcome<maintenance_plan>> end_maintenance_plan_as(app& a, const user& who, std::int64_t id);
// A plan if `who` may see plans (staff), else nullopt like an absent one.
net::awaitable<std::optional<maintenance_plan>> find_visible_plan(app& a, const user& who, std::int64_t id);

struct generation_counts {
    std::size_t added = 0;
    std::size_t reassigned = 0;
};
// Adds the tasks of every active plan (or only `plan_id`) whose periods have opened by today, for the schools the
// plan covers, assigned to each school's campus manager; hands open tasks of a school that moved to its new manager.
// Idempotent: one task per plan, school and period, however often it runs.
net::awaitable<generation_counts> generate_maintenance_tasks(app& a, time_ms now, std::int64_t plan_id);
// The daily job (as retention): checked every `period`, run once a day (and at start-up), logged.
net::awaitable<void> generate_maintenance_daily(app& a, net::steady_timer& timer, std::chrono::milliseconds period);

// The tasks `who` sees of `q` (its schools narrowed to theirs).
net::awaitable<std::vector<maintenance_task>> visible_tasks(app& a, const user& who, task_query q);
struct task_view {
    maintenance_task task;
    std::vector<postponement> history;
};
net::awaitable<std::optional<task_view>> find_visible_task(app& a, const user& who, std::int64_t id);
// Done (with an optional note) or postponed (to a later school day, with a reason): staff who see the task; 404 for
// a task they do not see, 409 for a done one, 422 naming the field.
net::awaitable<outcome<maintenance_task>> complete_task(app& a, const user& who, std::int64_t id, std::string note);
net::awaitable<outcome<maintenance_task>> postpone_task(app& a, const user& who, std::int64_t id,
                                                        std::string due_date, std::string reason);

// The month's maintenance section of the report: tasks due in `period`'s month, judged at its "now".
maintenance_report load_maintenance_report(SQLite::Database& db, const directory& dir, const date::time_zone* zone,
                                           const report_period& period);

// Words for people: "alle 12 Schulwochen ab 30.11.2026", "vor den Sommerferien (4 Wochen Vorlauf)".
// The API's words stay German (API.md); the pages pass their language.
std::string describe_schedule(const maintenance_plan& p, language lang = language::de);
// "Digitale Tafeln", "alle Schulen", a school's name.
std::string describe_scope(const app& a, const maintenance_plan& p, language lang = language::de);

} // namespace campusdesk
