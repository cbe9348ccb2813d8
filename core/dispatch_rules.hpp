// Help-desk rules for the dispatcher board: spotting a possible outage and suggesting a substitute.
#pragma once

#include "core/ticket.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace campusdesk {

struct open_ticket_brief {
    std::string number;
    std::string school_number;
    std::string category;
    time_ms created_at = 0;
};

// Several network tickets from one school within an hour point to an outage of the school's network rather
// than to separate faults; the board shows them together.
struct outage_suspicion {
    std::string school_number;
    std::vector<std::string> tickets;  // oldest first
    time_ms first_at = 0;
    time_ms last_at = 0;
};

inline constexpr time_ms outage_window_ms = 60 * 60 * 1000;
inline constexpr std::size_t outage_min_tickets = 2;

std::vector<outage_suspicion> detect_outages(std::vector<open_ticket_brief> tickets,
                                             time_ms window = outage_window_ms,
                                             std::size_t min_tickets = outage_min_tickets);

// A substitute for an absent manager: among the other managers who are not absent, those with schools in a
// district where the absent one has schools ("neighbours") come first; of them the one with the lightest open
// load. Returns 0 when nobody is available.
struct manager_facts {
    std::int64_t id = 0;
    std::set<std::string> districts;
    int open_tickets = 0;
    bool absent = false;
};
std::int64_t suggest_substitute(std::int64_t absent_manager, const std::vector<manager_facts>& managers);

} // namespace campusdesk
