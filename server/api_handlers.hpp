// The JSON API of API.md under /api/v1: translates requests to ticket_service calls and back.
#pragma once

#include "server/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// `peer` is the address the request came from (auth.hpp: client_address names the client behind a proxy).
net::awaitable<http_response> handle_api(app& a, http_request& req, const boost::urls::url_view& url,
                                         const net::ip::address& peer);

} // namespace campusdesk
