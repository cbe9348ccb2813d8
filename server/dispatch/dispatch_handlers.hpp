// The help desk's pages and API: the dispatcher board, absences and cover, and the live update stream.
#pragma once

#include "server/accounts/auth.hpp"
#include "server/http/http_server.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// GET /dispatch (dispatcher and admin).
net::awaitable<http_response> dispatch_board_page(app& a, const auth_state& auth, const boost::urls::url_view& url);
// POST /dispatch/zuweisen: the board's ticked tickets (field "ticket", repeated) to one manager, each as its own
// assignment under the rules and visibility of a single one; back to the board with how many were assigned and
// which were refused, and why.
net::awaitable<http_response> bulk_assign(app& a, const http_request& req, const auth_state& auth);
// GET /dispatch/absences and POST /dispatch/absences, /dispatch/absences/{manager}/end.
// The notifications given up on after [mail.retry] max_attempts, newest first (linked from the board).
net::awaitable<http_response> undeliverable_mail_page(app& a, const auth_state& auth);
net::awaitable<http_response> absences_page(app& a, http_request& req, const auth_state& auth, const std::string& rest);
// PUT/DELETE /api/v1/managers/{id}/absence.
net::awaitable<http_response> absence_api(app& a, const http_request& req, const user& who, const std::string& id);

// GET /api/v1/live: Server-Sent Events, one `change` event per committed change.
bool is_live_stream(const http_request& req);
net::awaitable<void> serve_live_stream(app& a, http_request& req, beast::tcp_stream& stream, const http_server& server);

} // namespace campusdesk
