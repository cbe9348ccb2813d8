// The known problems and ticket links of the JSON API (issue 24, docs/api-problems.md).
#pragma once

#include "server/accounts/auth.hpp"

#include <string>
#include <vector>

namespace campusdesk {

// /api/v1/problems and /api/v1/problems/{id}[/affected|/tickets|/resolve]; `rest` are the segments after "problems".
net::awaitable<http_response> problems_api(app& a, const http_request& req, const user& who,
                                           const std::vector<std::string>& rest);
// POST /api/v1/tickets/{number}/merge
net::awaitable<http_response> post_ticket_merge(app& a, const http_request& req, const user& who,
                                                const std::string& number);
// GET and POST /api/v1/tickets/{number}/links
net::awaitable<http_response> ticket_links_api(app& a, const http_request& req, const user& who,
                                               const std::string& number);

} // namespace campusdesk
