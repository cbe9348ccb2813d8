// The JSON API of API.md under /api/v1: translates requests to ticket_service calls and back.
#pragma once

#include "server/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

net::awaitable<http_response> handle_api(app& a, http_request& req, const boost::urls::url_view& url);

} // namespace campusdesk
