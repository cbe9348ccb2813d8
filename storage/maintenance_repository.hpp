// Maintenance plans and their tasks (issue 18) in SQLite: tables of their own (schema 18), never read by the ticket
// lists, the queue, the board or the SLA figures.
#pragma once

#include "core/maintenance.hpp"

#include <SQLiteCpp/Database.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

// Stores a new plan (with an audit entry by its creator) and returns its id.
std::int64_t insert_maintenance_plan(SQLite::Database& db, const maintenance_plan& p);
std::optional<maintenance_plan> find_maintenance_plan(SQLite::Database& db, std::int64_t id);
// Newest first; `active_only`: those still generating tasks.
std::vector<maintenance_plan> list_maintenance_plans(SQLite::Database& db, bool active_only);
// Ends a plan: no more tasks; its open tasks stay. False if it was ended already (or is absent).
bool end_maintenance_plan(SQLite::Database& db, std::int64_t id, std::int64_t actor_id, time_ms now);

// The schools with a device of `kind` in service (an index scan of devices_by_school).
std::vector<std::string> schools_with_device_kind(SQLite::Database& db, device_kind kind);

// One task to exist: a school's period of a plan, for its campus manager.
struct task_seed {
    std::int64_t plan_id = 0;
    std::string school_number;
    maintenance_period period;
    std::int64_t assignee_id = 0;
};
// Adds the tasks that do not exist yet (plan, school, period) and returns how many were added: generating twice
// adds nothing.
std::size_t add_maintenance_tasks(SQLite::Database& db, const std::vector<task_seed>& seeds, time_ms now);
// Gives the open tasks of each school to its campus manager (a school moved to another one); returns how many moved.
std::size_t reassign_open_tasks(SQLite::Database& db, const std::map<std::string, std::int64_t>& manager_of_school);

struct task_query {
    std::vector<std::string> schools = {};  // empty: all
    std::optional<task_status> state = std::nullopt;
    std::optional<local_date> due_by = std::nullopt;     // due on or before
    std::optional<local_date> due_from = std::nullopt;   // due on or after
    std::int64_t plan_id = 0;                            // 0: all plans
    int limit = 200;
};
// By due date, then school; with the plan's title and kind.
std::vector<maintenance_task> list_maintenance_tasks(SQLite::Database& db, const task_query& q);
std::optional<maintenance_task> find_maintenance_task(SQLite::Database& db, std::int64_t id);

// Marks an open task done by `actor_id` on local day `day`; false if it was done already.
bool complete_maintenance_task(SQLite::Database& db, std::int64_t id, std::int64_t actor_id, time_ms now,
                               local_date day, const std::string& note);
// Moves an open task's due date to `to` with `reason`, kept in its history; false if it is done already.
bool postpone_maintenance_task(SQLite::Database& db, std::int64_t id, std::int64_t actor_id, time_ms now,
                               local_date to, const std::string& reason);

struct postponement {
    local_date from{}, to{};
    std::string reason;
    std::int64_t by_user = 0;
    time_ms at = 0;
};
std::vector<postponement> postponements_of(SQLite::Database& db, std::int64_t task_id);

// Per school of `schools`: open tasks due on or before `by` (the visit plan's choices; one grouped statement).
std::map<std::string, int> due_task_counts(SQLite::Database& db, const std::vector<std::string>& schools, local_date by);

} // namespace campusdesk
