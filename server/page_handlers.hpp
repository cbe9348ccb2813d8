// The German web pages: login, "Störung melden", "Meine Tickets", the manager queue and the ticket page.
#pragma once

#include "server/auth.hpp"
#include "server/page_renderer.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// `peer` is the address the request came from (auth.hpp: client_address names the client behind a proxy).
net::awaitable<http_response> handle_page(app& a, http_request& req, const boost::urls::url_view& url,
                                          const net::ip::address& peer);

// What every page shows: who is logged in, navigation, demo banner and the CSRF token for forms.
page_data base_data(const app& a, const auth_state& auth, std::string title);

// The second-level partners of the config as options of a select (id, label).
page_list partner_options(const app& a);

// Whether a request target is an upload route (which may carry a larger body).
bool is_upload_target(std::string_view target);

} // namespace campusdesk
