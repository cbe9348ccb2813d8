// Single sign-on's pages (issue 19, docs/sso.md): /sso/<provider>/start sends the browser to the provider,
// /sso/<provider>/callback takes it back, provisions the account just in time and opens a normal campusdesk
// session; a person who maps to no role or school gets a German and English page and nothing is created.
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

#include <string_view>

namespace campusdesk {

bool is_sso_path(std::string_view path);
net::awaitable<http_response> sso_page(app& a, const http_request& req, const boost::urls::url_view& url,
                                       const net::ip::address& peer);

// Where the browser goes after /logout: the provider's end_session_endpoint for a session made through a provider
// with `logout = true` (RP-initiated logout), else /login. Asked before the session is deleted.
net::awaitable<std::string> logout_target(app& a, const auth_state& auth, const http_request& req);

} // namespace campusdesk
