// Routing: which campus manager receives a school's ticket, taking absences and substitutes into account.
#pragma once

#include "core/ticket.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace campusdesk {

// A manager is absent in [from, to) and a substitute covers their schools.
struct absence {
    std::int64_t manager_id = 0;
    time_ms from = 0;
    time_ms to = 0;
    std::int64_t substitute_id = 0;
};

bool is_absent(std::int64_t manager_id, std::span<const absence> absences, time_ms now);

// The manager a new ticket goes to at `now`: the school's manager, or while they are absent their substitute
// (following a chain of substitutes who are absent themselves, never in a circle).
std::int64_t route_new_ticket(std::int64_t school_manager_id, std::span<const absence> absences, time_ms now);

// The absent managers whose new tickets currently reach `manager_id` (directly or along a chain); their open
// tickets show in this manager's queue.
std::vector<std::int64_t> covered_managers(std::int64_t manager_id, std::span<const absence> absences, time_ms now);

} // namespace campusdesk
