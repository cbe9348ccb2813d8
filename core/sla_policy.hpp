// SLA targets per priority, pause statuses and the warning threshold (SLA.md §2), as set in campusdesk.toml.
#pragma once

#include "core/business_calendar_config.hpp"
#include "core/ticket.hpp"

#include <array>
#include <string>
#include <vector>

namespace campusdesk {

struct sla_targets {
    int first_response_minutes = 0;
    int resolution_minutes = 0;
};

struct sla_policy {
    // Indexed by static_cast<int>(priority).
    std::array<sla_targets, 4> targets{{{60, 540}, {240, 1620}, {540, 2700}, {1080, 5400}}};
    std::vector<status> pause_statuses{status::waiting_on_requester};
    double warning_threshold = 0.75;

    const sla_targets& for_priority(priority p) const { return targets[static_cast<int>(p)]; }
    bool pauses(status s) const;
};

// Everything the stored SLA figures depend on, as one canonical text: when it differs from the text they were
// computed with, they are recomputed (holiday names left out: they change no figure).
std::string describe_sla_settings(const sla_policy& policy, const business_calendar_config& calendar);

} // namespace campusdesk
