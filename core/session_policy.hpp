// How long a login lasts (ASVS 5.0 7.3.1, 7.3.2): an idle timeout and an absolute lifetime, shorter for
// teachers, who log in on shared iPads and phones once in a while, than for staff, who work the queue all day.
#pragma once

#include "core/ticket.hpp"

namespace campusdesk {

struct session_limits {
    time_ms idle = 0;      // ends after this long without a request
    time_ms lifetime = 0;  // ends this long after login, however active
};

struct session_policy {
    // A teacher files a ticket or answers a question and leaves; a forgotten login on a shared iPad must not
    // outlast the lesson by much.
    session_limits teacher{30LL * 60 * 1000, 12LL * 3600 * 1000};
    // Staff keep the queue or the board open through a working day; they log in again the next morning.
    session_limits staff{4LL * 3600 * 1000, 12LL * 3600 * 1000};
    // API tokens for scripts: they expire unless renewed (`campusdesk user token`).
    time_ms token_lifetime = 180LL * 24 * 3600 * 1000;

    const session_limits& for_role(role r) const { return is_staff(r) ? staff : teacher; }
};

// Last activity is stored at most this often (a write per request would cost the read path its speed), so an
// idle timeout may end a session up to this much later than exact.
inline constexpr time_ms session_touch_interval = 60 * 1000;

// Whether a session created at `created` and last used at `last_seen` is still valid at `now`.
inline bool session_alive(const session_limits& limits, time_ms created, time_ms last_seen, time_ms now) {
    return now < created + limits.lifetime && now < last_seen + limits.idle;
}

} // namespace campusdesk
