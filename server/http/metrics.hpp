// /metrics in the Prometheus text format (version 0.0.4): request counts and latencies per route, the queues'
// lengths, mail, security events, and the open, at-risk and breached tickets per campus manager.
#pragma once

#include "server/app.hpp"

namespace campusdesk {

// The body of /metrics. The per-manager gauges come from the board's one pass over the open tickets
// (load_manager_loads); a scrape reuses the last pass while no change was committed since (live_updates' version)
// and it is younger than manager_gauges_max_age, so a scrape shows every committed change at once and only
// tickets crossing into at-risk or breached by the passing of time may show up to that long late.
net::awaitable<std::string> metrics_text(app& a);

inline constexpr time_ms manager_gauges_max_age = 5000;

} // namespace campusdesk
