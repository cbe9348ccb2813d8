// POST /api/v1/session: the API's login (JSON), answering the user and the CSRF token and setting the session cookie.
#pragma once

#include "server/accounts/auth.hpp"

namespace campusdesk {

// `peer` is the address the request came from (client_address names the client behind a proxy).
net::awaitable<http_response> create_session(app& a, const http_request& req, const net::ip::address& peer);

} // namespace campusdesk
