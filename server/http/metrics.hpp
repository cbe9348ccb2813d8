// /metrics in the Prometheus text format (version 0.0.4): request counts and latencies per route, the queues'
// lengths, mail, security events, and the open, at-risk and breached tickets per campus manager.
#pragma once

#include "server/app.hpp"

namespace campusdesk {

// The body of /metrics. The per-manager gauges come from the board's pass over the open tickets, reused exactly
// as the board does (open_loads_memo): a scrape shows every committed change and every change of state by time.
net::awaitable<std::string> metrics_text(app& a);

} // namespace campusdesk
