// The retention rules applied (issue 20, docs/datenschutz.md): a daily job in the server at [retention] hour, and
// `campusdesk retention apply`. Work is done in batches, each its own write transaction, so creates go on between
// them; anonymisation takes the oldest closed tickets first.
#pragma once

#include "server/app.hpp"
#include "storage/write_queue.hpp"

#include <cstdint>
#include <string>

namespace campusdesk {

struct retention_counts {
    std::int64_t anonymised = 0;   // closed tickets whose personal data went
    std::int64_t attachments = 0;  // attachment rows removed (files follow with the orphan sweep)
    std::int64_t sessions = 0;     // expired sessions and API tokens
    std::int64_t audit = 0;        // audit-log entries
    std::int64_t mail = 0;         // outbox and incoming-mail rows
    std::int64_t files = 0;        // attachment files removed
    std::int64_t maintenance = 0;  // maintenance tasks and postponements no longer naming who did them
    retention_counts& operator+=(const retention_counts& o);
};
// For logs and the command line: "12 tickets anonymised, …".
std::string describe(const retention_counts& c);

// Everything due at `now`, through `writer` (the command line's), then the files no attachment names any more.
retention_counts apply_retention(write_queue& writer, const retention_config& rules,
                                 const std::filesystem::path& attachments_dir, time_ms now);

// The daily job: checked every `period`, run once a day after [retention] hour (local), logged and counted.
net::awaitable<void> apply_retention_daily(app& a, net::steady_timer& timer, std::chrono::milliseconds period);

} // namespace campusdesk
