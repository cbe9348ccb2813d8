// Known problems (Störungen, issue 24) in SQLite: the problem, its schools, its attached tickets and the teachers it
// affects; the teachers' banner and the monthly report's reading.
#pragma once

#include "core/known_problems.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace campusdesk {

// Inserts the problem with its schools; returns its id.
std::int64_t insert_problem(SQLite::Database& db, const known_problem& p);
std::optional<known_problem> find_problem(SQLite::Database& db, std::int64_t id);
// The open problems (newest declaration first), then at most `resolved_limit` resolved ones (latest first).
std::vector<known_problem> list_problems(SQLite::Database& db, int resolved_limit);
// Sets the problem's priority and start after a ticket was attached (problem_priority, problem_start).
void update_problem_parts(SQLite::Database& db, std::int64_t id, priority prio, time_ms started_at);
void resolve_problem(SQLite::Database& db, std::int64_t id, time_ms at, std::int64_t by, const std::string& resolution);

// Attaches a ticket and lists its requester as affected (if not already); false if the ticket belongs to a problem
// already (to this one or another).
bool attach_ticket(SQLite::Database& db, std::int64_t problem_id, const ticket& t, time_ms at, std::int64_t by);
// The problem a ticket is attached to.
std::optional<std::int64_t> problem_of_ticket(SQLite::Database& db, std::int64_t ticket_id);

struct attached_ticket {
    std::int64_t id = 0;
    problem_part part;
    std::string title;
    status state = status::new_;
};
std::vector<attached_ticket> problem_tickets(SQLite::Database& db, std::int64_t problem_id);

struct affected_person {
    std::int64_t user_id = 0;
    std::string name;
    std::string school_number;
    time_ms at = 0;
    std::string room;
    std::string note;
    std::string ticket;  // their attached ticket, if that is how they are affected
};
// Adds a teacher who pressed "Ich bin auch betroffen"; false if they are listed already.
bool add_affected(SQLite::Database& db, std::int64_t problem_id, const affected_person& a);
std::vector<affected_person> affected_people(SQLite::Database& db, std::int64_t problem_id);

// What a teacher sees at the top of the form and of "Meine Tickets": the open problems of their school (or of all
// schools) and the problems they are affected by that were resolved at or after `resolved_since`. One statement:
// the open problems are read through their partial index, the user's through problem_affected_by_user.
struct problem_notice {
    known_problem problem;
    bool affected = false;  // the user is listed (through a ticket or "Ich bin auch betroffen")
};
std::vector<problem_notice> problems_for_teacher(SQLite::Database& db, std::int64_t user_id,
                                                 const std::string& school_number, time_ms resolved_since);

// The numbers of the tickets attached to open problems (a few: the open problems' partial index leads): the board
// no longer suggests an outage of tickets that already belong to a declared problem.
std::set<std::string, std::less<>> open_problem_ticket_numbers(SQLite::Database& db);

// The problems that started in [from, to), with their tickets' numbers and how many teachers they affect.
std::vector<report_problem> problems_started_between(SQLite::Database& db, time_ms from, time_ms to);

} // namespace campusdesk
