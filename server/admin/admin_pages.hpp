// The administrator's pages (issue 16), under /admin: accounts (search, add, disable and enable, a new password,
// ending sessions, API tokens), schools and their campus managers (moving a school), and the categories and
// partners of the config (read-only: they live in campusdesk.toml). Admins only; everyone else gets 403.
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

bool is_admin_path(std::string_view path);
net::awaitable<http_response> admin_page(app& a, http_request& req, const auth_state& auth,
                                         const boost::urls::url_view& url);

} // namespace campusdesk
