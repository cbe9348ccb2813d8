// The city's view of the schools' equipment (issue 18, docs/devices.md "Equipment overview"): /schulen (the schools
// with their devices and tickets per 100 devices), /schulen/{number} (a school's overview), /schulen/aehnliche
// (similar schools, with .csv and .xlsx downloads).
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

#include <string_view>

namespace campusdesk {

// `rest`: the path after /schulen ("", "/100001", "/aehnliche", "/aehnliche.csv", "/aehnliche.xlsx"). Teachers get
// 404 throughout; a campus manager sees the list and the overviews of their schools only, the similar schools
// not (404); the help desk and admins everything.
net::awaitable<http_response> schools_page(app& a, const http_request& req, const auth_state& auth,
                                           const boost::urls::url_view& url, std::string_view rest);

} // namespace campusdesk
