// Known problems and ticket merges and links (issue 24): the operations the pages and the JSON API share. Every
// change to a ticket goes through the ticket service's apply_action (events, SLA projection, audit, mail).
#pragma once

#include "core/known_problems.hpp"
#include "server/tickets/ticket_service.hpp"
#include "storage/problem_repository.hpp"
#include "storage/ticket_link_repository.hpp"

#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

// A problem as a page or the API shows it to `who`: staff see its tickets, the affected teachers and its clocks.
struct problem_view {
    known_problem problem;
    sla_result sla;
    std::vector<attached_ticket> tickets;   // staff only
    std::vector<affected_person> affected;  // staff only
    std::int64_t teachers_affected = 0;
    bool viewer_affected = false;
    bool viewer_may_join = false;           // check_join would accept the viewer
};

request_error problem_not_found();

// Staff declare a problem (with tickets to attach, e.g. an outage suggestion's). 422 with every invalid field.
net::awaitable<outcome<known_problem>> declare_problem(app& a, const user& who, problem_draft draft);
// Staff attach more tickets to an open problem.
net::awaitable<outcome<known_problem>> attach_problem_tickets(app& a, const user& who, std::int64_t id,
                                                              std::vector<std::string> numbers);
// "Ich bin auch betroffen": a teacher of a concerned school joins, with an optional room and note (409 twice).
net::awaitable<outcome<known_problem>> join_problem(app& a, const user& who, std::int64_t id, std::string room,
                                                    std::string note);
// Staff resolve it: every attached ticket still open is resolved with the same text (the requester may reopen it
// within the window as any resolved ticket), and those who joined without a ticket are told by mail.
net::awaitable<outcome<known_problem>> resolve_problem_as(app& a, const user& who, std::int64_t id,
                                                          std::string resolution);

// Staff: any problem; a teacher: those of their school and those they are affected by. Else nothing (404).
net::awaitable<std::optional<problem_view>> find_visible_problem(app& a, const user& who, std::int64_t id);
// Staff: the open problems and the latest resolved ones; a teacher: their notices (problem_notices).
net::awaitable<std::vector<problem_notice>> visible_problems(app& a, const user& who);
// What a teacher's pages show at their top: one query (problems_for_teacher); resolved problems stay for 7 days.
net::awaitable<std::vector<problem_notice>> problem_notices(app& a, const user& who);
inline constexpr time_ms resolved_notice_ms = 7LL * 24 * 3600 * 1000;

// Merges the duplicate `number` into `into` (see check_merge). Answers the duplicate as it now stands.
net::awaitable<outcome<ticket>> merge_ticket(app& a, const user& who, std::string number, std::string into,
                                             std::string note);
// Links two related tickets (staff); both must be visible.
net::awaitable<outcome<ticket>> link_ticket(app& a, const user& who, std::string number, std::string to);

// A ticket's links as `who` may see them: a linked ticket they cannot see shows its number and status only.
struct visible_link {
    ticket_link link;
    bool visible = false;
};
struct ticket_links_view {
    std::string number;
    std::vector<std::string> merged_into;  // the chain, nearest first
    std::vector<visible_link> links;
    std::optional<std::int64_t> problem_id;
};
net::awaitable<std::optional<ticket_links_view>> visible_ticket_links(app& a, const user& who, std::string number);

} // namespace campusdesk
