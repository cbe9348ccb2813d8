// The German web pages' routes: which page answers which path, after the login check.
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// `peer` is the address the request came from (auth.hpp: client_address names the client behind a proxy).
net::awaitable<http_response> handle_page(app& a, http_request& req, const boost::urls::url_view& url,
                                          const net::ip::address& peer);

// Whether a request target is an upload route (which may carry a larger body).
bool is_upload_target(std::string_view target);

} // namespace campusdesk
