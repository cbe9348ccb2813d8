// The login page (GET and POST /login): its own double-submit CSRF token, as there is no session yet.
#pragma once

#include "server/accounts/auth.hpp"

namespace campusdesk {

http_response login_page(const app& a, const http_request& req, http::status status, std::string error,
                         std::string login);
// `peer` is the address the request came from (client_address names the client behind a proxy).
net::awaitable<http_response> post_login(app& a, const http_request& req, const net::ip::address& peer);

} // namespace campusdesk
