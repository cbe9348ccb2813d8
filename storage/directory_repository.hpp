// Schools, campus managers and absences in SQLite.
//
// The school directory has one source and flows one way: the config's schools.csv and managers.csv are the
// truth; at start-up sync_directory brings the `schools` and `managers` tables in line with them, and the server
// reads its in-memory directory from the tables (server/app.hpp), never from the config.
#pragma once

#include "core/routing.hpp"
#include "storage/ticket_repository.hpp"

#include <SQLiteCpp/Database.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

struct app_config;

struct manager_record {
    std::int64_t id = 0;
    std::string login;
    std::string name;
    std::string email;
    std::string phone;
    std::vector<std::string> schools;  // numbers of the schools in the directory that they look after
    bool active = true;                // in managers.csv; a former manager keeps their row (see sync_directory)
};

struct school_record {
    std::string number;
    std::string name;
    std::string kind;
    std::string district;
    std::string address;
    std::int64_t manager_id = 0;  // a former school: the manager it had last
    bool active = true;           // in schools.csv; a former school keeps its row (see sync_directory)
};

// What a sync changed (for the start-up log); empty when the tables already matched the files.
struct directory_changes {
    std::vector<std::string> schools_added, schools_removed, schools_returned, schools_moved;  // numbers
    std::vector<std::string> managers_added, managers_removed, managers_returned;             // logins
    std::vector<std::string> tickets_reassigned;  // numbers: one `assigned` event by the system each
    // Open tickets whose assignee left the directory and whose school did too: the help desk assigns them.
    std::vector<std::string> tickets_left_with_former_manager;
    std::vector<std::string> absences_ended;  // logins of the absent managers
    bool empty() const;
};

// Brings the tables in line with config.schools and config.managers, in the caller's transaction, at `now`:
// - new and changed rows are written; managers keep their ids, so tickets keep their assignees;
// - a school no longer in schools.csv is kept as a *former* school (active = 0), never deleted: its tickets
//   keep their school and show its name, teachers' accounts keep their school, but it is no longer offered
//   (forms, /api/v1/schools, new tickets). Its open tickets stay with their assignees. It becomes active again
//   if it returns to the file;
// - a school that moves to another campus manager (a normal event in a school year) takes its open tickets
//   with it: every open ticket of the school whose assignee was the old manager is assigned to the new one by
//   the system (actor 0), an `assigned` event in the ticket's history and an audit entry each. Tickets that the
//   help desk had given to someone else, or that a substitute holds, stay where they are;
// - a manager no longer in managers.csv is kept as a *former* manager (active = 0): names in old tickets and
//   reports stay, but they are no longer offered for assignment or absences. Their remaining open tickets go
//   to the manager of the ticket's school, as above; current and planned absences that name them (as absent
//   or as substitute) end now. Their login is left alone: accounts are managed by `campusdesk user`.
// Running it again with the same files changes nothing.
directory_changes sync_directory(SQLite::Database& db, const app_config& config, const sla_context& sla, time_ms now);

// Moves a school to another current campus manager from the admin page (issue 16), as `actor`, at `now`:
// - the school's row names the new manager, so new tickets are routed to them at once;
// - the move is remembered (school_moves) with the manager schools.csv names at the time: sync_directory keeps
//   the move at the next start while the file still names that manager, and gives way to the file once it is
//   changed (the later decision wins; the file stays the directory's source);
// - the school's open tickets follow it, as when schools.csv moves a school: those with the old manager are
//   assigned to the new one (an `assigned` event by `actor` each, with an audit entry); tickets that the help desk
//   gave to someone else, or that a substitute holds, stay where they are;
// - the move itself is in the audit log.
// Returns the numbers of the tickets that moved; nothing changes (an empty list) if the school already has that
// manager. The caller checks that the school is current and the manager is, too.
std::vector<std::string> move_school(SQLite::Database& db, std::string_view number, std::int64_t to_manager,
                                     std::int64_t actor, const sla_context& sla, time_ms now);

// Current and former managers by login; each with the current schools they look after.
std::vector<manager_record> load_managers(SQLite::Database& db);
// Current and former schools by number.
std::vector<school_record> load_schools(SQLite::Database& db);
std::optional<school_record> find_school_record(SQLite::Database& db, std::string_view number);
std::optional<manager_record> find_manager_by_login(SQLite::Database& db, std::string_view login);
std::optional<manager_record> find_manager(SQLite::Database& db, std::int64_t id);

std::vector<absence> load_absences(SQLite::Database& db);

} // namespace campusdesk
