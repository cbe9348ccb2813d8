// What every page shares, in German or English (auth.lang): the frame (who is logged in, navigation, demo banner,
// the CSRF token for forms),
// the error page, and the small helpers of query parameters and select options.
#pragma once

#include "server/accounts/auth.hpp"
#include "server/views/page_renderer.hpp"

#include <boost/url.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace campusdesk {

page_data base_data(const app& a, const auth_state& auth, std::string title);

// The error page with the frame: `message` says what went wrong, in the page's language.
http_response error_page(const app& a, const auth_state& auth, http::status status, std::string_view message);
http_response not_found_page(const app& a, const auth_state& auth);

// The second-level partners of the config as choices of a select (id, label), after an empty "– bitte wählen –":
// an escalation names its partner on purpose, none is preselected.
std::vector<std::pair<std::string, std::string>> partner_choices(const app& a, language lang);

// The value of a query parameter, or "" where it is absent.
std::string query_value(const boost::urls::url_view& url, std::string_view key);

// Options of a filter <select> (id, label), with the current choice marked.
page_list select_options(const std::vector<std::pair<std::string, std::string>>& choices, const std::string& current);

} // namespace campusdesk
