// The JSON API of API.md under /api/v1: which handler answers which resource, after the login and CSRF checks.
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// `peer` is the address the request came from (auth.hpp: client_address names the client behind a proxy).
net::awaitable<http_response> handle_api(app& a, http_request& req, const boost::urls::url_view& url,
                                         const net::ip::address& peer);

} // namespace campusdesk
