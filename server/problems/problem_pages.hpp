// The pages of known problems (issue 24): /stoerungen (staff: list, declare, resolve; teachers: their school's),
// "Ich bin auch betroffen", the banner at the top of a teacher's form and list, and the merge and link forms of
// the ticket page.
#pragma once

#include "server/accounts/auth.hpp"
#include "server/views/page_renderer.hpp"

#include <string>
#include <string_view>

namespace campusdesk {

// Everything under /stoerungen; `rest` is the path after "/stoerungen" ("", "/neu", "/3", "/3/betroffen", …).
net::awaitable<http_response> problems_page(app& a, http_request& req, const auth_state& auth, std::string_view rest);

// Sets `problem_notices` for the banner partial (teachers only; one query). `return_to` is where
// "Ich bin auch betroffen" comes back to.
net::awaitable<void> add_problem_banner(app& a, const auth_state& auth, page_data& d, std::string return_to);

// The ticket page's links: the pointer of a merged ticket, the problem it belongs to, and (staff) its links with
// the merge and link forms.
net::awaitable<void> add_ticket_links(app& a, const auth_state& auth, const std::string& number, bool closed,
                                      page_data& d);

// POST /tickets/{number}/zusammenfuehren and /tickets/{number}/verknuepfen.
net::awaitable<http_response> post_ticket_link_form(app& a, http_request& req, const auth_state& auth,
                                                    const std::string& number, std::string_view action);

} // namespace campusdesk
