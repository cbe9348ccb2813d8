// The German web pages: login, "Störung melden", "Meine Tickets", the manager queue and the ticket page.
#pragma once

#include "server/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

net::awaitable<http_response> handle_page(app& a, http_request& req, const boost::urls::url_view& url);

// Whether a request target is an upload route (which may carry a larger body).
bool is_upload_target(std::string_view target);

} // namespace campusdesk
