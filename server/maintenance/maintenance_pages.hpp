// The maintenance pages (issue 18): /wartung (open tasks and the plans), /wartung/neu (the help desk's form for a
// plan), /wartung/plaene/{id} (a plan with its tasks, ending it), /wartung/aufgaben/{id} (a task: done or postponed
// with a reason); and the visit plan's maintenance part.
#pragma once

#include "server/accounts/auth.hpp"
#include "server/views/page_renderer.hpp"

#include <boost/url.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

// `rest`: the path after /wartung ("", "/neu", "/aufgaben/3", "/plaene/2", "/plaene/2/beenden").
net::awaitable<http_response> maintenance_page(app& a, http_request& req, const auth_state& auth,
                                               const boost::urls::url_view& url, std::string_view rest);

// How far ahead the visit plan looks for maintenance tasks (with the overdue ones).
inline constexpr int visit_plan_task_days = 28;

// The visit plan's maintenance: each choice of school gets `due_tasks` (a count of open tasks due within
// visit_plan_task_days, one grouped statement); each chosen school of `schools` (in `chosen` order) gets its tasks
// (`tasks`, `has_tasks`) and the suggestion to do them with its open tickets (`combine`). `back`: the visit plan's
// address, where a task's forms return.
net::awaitable<void> add_visit_plan_maintenance(app& a, const auth_state& auth, const std::vector<std::string>& chosen,
                                                page_list& choices, page_list& schools, const std::string& back);

} // namespace campusdesk
