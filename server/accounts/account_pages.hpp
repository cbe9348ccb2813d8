// "Mein Konto": the user's own sessions and API tokens (end one, or all but this one) and their password.
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// Whether the path belongs to the account pages (/account, /account/...).
bool is_account_path(std::string_view path);

// GET /account, POST /account/revoke (id, or "others"), POST /account/password.
net::awaitable<http_response> account_page(app& a, http_request& req, const auth_state& auth, std::string_view path);

} // namespace campusdesk
