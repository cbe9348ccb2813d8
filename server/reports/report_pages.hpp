// The monthly SLA report for the help desk: the page /reports/sla and the export route /api/v1/reports/sla.
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// GET /reports/sla?month=YYYY-MM[&school=…|manager=…|priority=…|category=…][&breached=1|open=1|alle=1]
// (dispatcher and admin; anyone else gets 404): month totals, tables per campus manager, school, priority and
// category, server-drawn SVG charts, download links and, with a filter, the tickets behind a figure. Without
// `month` it shows the current month; a malformed month is answered 422. `auth.who` must be set.
net::awaitable<http_response> sla_report_page(app& a, const auth_state& auth, const boost::urls::url_view& url);

// GET /api/v1/reports/sla?month=YYYY-MM&format=json|csv|xlsx[&sep=semicolon] (dispatcher and admin; others 403):
// the export of SLA.md §4 as an attachment "sla-YYYY-MM.<format>". Missing or malformed month: 422 field
// `month`; unknown format: 422 field `format` (default json); unknown sep: 422 field `sep`.
net::awaitable<http_response> sla_report_api(app& a, const user& who, const boost::urls::url_view& url);
// GET /api/v1/reports/problems?month=YYYY-MM[&sep=semicolon]: the month's known problems as CSV (issue 24), apart
// from the ticket CSV of SLA.md §4, which stays exactly as it is.
net::awaitable<http_response> problems_report_api(app& a, const user& who, const boost::urls::url_view& url);

// GET /api/v1/reports/devices?month=YYYY-MM[&sep=semicolon]: tickets per device kind and per 100 devices per
// school in the month as CSV (issue 18, render_device_csv), beside the ticket CSV of SLA.md §4.
net::awaitable<http_response> devices_report_api(app& a, const user& who, const boost::urls::url_view& url);

// "November 2026" / "November 2026", and "97,5 %" / "97.5%" (or "–"), as the report page writes them.
std::string report_month_name(report_month m, language lang);
std::string report_percent(std::optional<double> p, language lang);

// Fills the cache of closed months' totals with the twelve months before the current one (at start-up, on a
// reader thread), so the first view of the report page after a restart does not compute a year of history.
net::awaitable<void> warm_report_cache(app& a);

} // namespace campusdesk
