// Routing: which campus manager receives a school's ticket, taking absences and substitutes into account.
#pragma once

#include "core/ticket.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace campusdesk {

// A manager is absent in [from, to) and a substitute covers their schools.
struct absence {
    std::int64_t manager_id = 0;
    time_ms from = 0;
    time_ms to = 0;
    std::int64_t substitute_id = 0;
};

// The period an absence may cover (docs/api-validation.md): it must end after it begins and after `now`, begin no
// earlier than 2000-01-01 (UTC) and end no later than five years (1,826 days) after `now`. Years like 0000 or 9999
// are typing slips; an absence beyond five years would silently hand a manager's schools away for good.
constexpr time_ms earliest_absence_start = 946'684'800'000;  // 2000-01-01T00:00:00Z
constexpr time_ms longest_absence_ahead = 1826LL * 24 * 3600 * 1000;

struct absence_problem {
    std::string code;
    std::string message;  // German
    std::string field;    // "from" or "to"
};
std::optional<absence_problem> check_absence_period(time_ms from, time_ms to, time_ms now);

bool is_absent(std::int64_t manager_id, std::span<const absence> absences, time_ms now);

// The manager a new ticket goes to at `now`: the school's manager, or while they are absent their substitute
// (following a chain of substitutes who are absent themselves, never in a circle).
std::int64_t route_new_ticket(std::int64_t school_manager_id, std::span<const absence> absences, time_ms now);

// The absent managers whose new tickets currently reach `manager_id` (directly or along a chain); their open
// tickets show in this manager's queue.
std::vector<std::int64_t> covered_managers(std::int64_t manager_id, std::span<const absence> absences, time_ms now);

} // namespace campusdesk
