// The ticket resources of the JSON API (API.md): create, list, read, act on, attach to.
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

#include <string>

namespace campusdesk {

net::awaitable<http_response> post_ticket(app& a, const http_request& req, const user& who);
net::awaitable<http_response> get_tickets(app& a, const boost::urls::url_view& url, const user& who);
net::awaitable<http_response> get_ticket(app& a, const user& who, const std::string& number);
// POST /api/v1/tickets/{number}/{replies|status|priority|assign|escalate}
net::awaitable<http_response> post_ticket_action(app& a, const http_request& req, const user& who,
                                                 const std::string& number, const std::string& action);
net::awaitable<http_response> post_ticket_attachments(app& a, const http_request& req, const user& who,
                                                      const std::string& number);

} // namespace campusdesk
