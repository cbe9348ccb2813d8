// The maintenance JSON API (issue 18, docs/api-maintenance.md): /api/v1/maintenance/plans…, /api/v1/maintenance/tasks…
// and the month's maintenance as CSV or JSON (/api/v1/reports/maintenance).
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

#include <string>
#include <vector>

namespace campusdesk {

// `rest`: the path's segments after /api/v1/maintenance.
net::awaitable<http_response> maintenance_api(app& a, const http_request& req, const user& who,
                                              const boost::urls::url_view& url, const std::vector<std::string>& rest);
// GET /api/v1/reports/maintenance?month=YYYY-MM[&format=csv|json][&sep=comma|semicolon]
net::awaitable<http_response> maintenance_report_api(app& a, const user& who, const boost::urls::url_view& url);

} // namespace campusdesk
