// The JSON API of API.md under /api/v1: translates requests to ticket_service calls and back.
#pragma once

#include "server/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// `client` is the client's address (auth.hpp: client_address), for the login throttle.
net::awaitable<http_response> handle_api(app& a, http_request& req, const boost::urls::url_view& url,
                                         const std::string& client);

} // namespace campusdesk
