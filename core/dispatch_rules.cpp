#include "core/dispatch_rules.hpp"

#include <algorithm>
#include <tuple>

namespace campusdesk {

std::vector<outage_suspicion> detect_outages(std::vector<open_ticket_brief> tickets, time_ms window,
                                             std::size_t min_tickets) {
    std::erase_if(tickets, [](const open_ticket_brief& t) { return t.category != "network"; });
    std::sort(tickets.begin(), tickets.end(), [](const auto& a, const auto& b) {
        return std::tie(a.school_number, a.created_at, a.number) < std::tie(b.school_number, b.created_at, b.number);
    });
    std::vector<outage_suspicion> result;
    // Group runs where each ticket follows the previous one of the same school within the window.
    for (std::size_t i = 0; i < tickets.size();) {
        std::size_t j = i + 1;
        while (j < tickets.size() && tickets[j].school_number == tickets[i].school_number &&
               tickets[j].created_at - tickets[j - 1].created_at <= window)
            ++j;
        if (j - i >= min_tickets) {
            outage_suspicion s{tickets[i].school_number, {}, tickets[i].created_at, tickets[j - 1].created_at};
            for (std::size_t k = i; k < j; ++k) s.tickets.push_back(tickets[k].number);
            result.push_back(std::move(s));
        }
        i = j;
    }
    std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.last_at > b.last_at; });
    return result;
}

std::int64_t suggest_substitute(std::int64_t absent_manager, const std::vector<manager_facts>& managers) {
    const manager_facts* away = nullptr;
    for (const auto& m : managers)
        if (m.id == absent_manager) away = &m;
    const manager_facts* best = nullptr;
    auto neighbour = [&](const manager_facts& m) {
        if (!away) return false;
        return std::any_of(m.districts.begin(), m.districts.end(),
                           [&](const std::string& d) { return away->districts.contains(d); });
    };
    for (const auto& m : managers) {
        if (m.id == absent_manager || m.absent) continue;
        if (!best) {
            best = &m;
            continue;
        }
        const auto key = [&](const manager_facts& x) { return std::tuple(!neighbour(x), x.open_tickets, x.id); };
        if (key(m) < key(*best)) best = &m;
    }
    return best ? best->id : 0;
}

} // namespace campusdesk
