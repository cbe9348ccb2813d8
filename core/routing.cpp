#include "core/routing.hpp"

#include <vector>
#include <algorithm>

namespace campusdesk {

namespace {
const absence* absence_of(std::int64_t manager_id, std::span<const absence> absences, time_ms now) {
    for (const auto& a : absences)
        if (a.manager_id == manager_id && a.from <= now && now < a.to) return &a;
    return nullptr;
}
} // namespace

std::optional<absence_problem> check_absence_period(time_ms from, time_ms to, time_ms now) {
    if (to <= from) return absence_problem{"invalid_range", "Das Ende muss nach dem Beginn liegen.", "to"};
    if (to <= now) return absence_problem{"in_past", "Die Abwesenheit liegt ganz in der Vergangenheit.", "to"};
    if (from < earliest_absence_start)
        return absence_problem{"out_of_range", "Der Beginn darf nicht vor dem Jahr 2000 liegen.", "from"};
    if (to > now + longest_absence_ahead)
        return absence_problem{"out_of_range", "Das Ende darf höchstens fünf Jahre in der Zukunft liegen.", "to"};
    return std::nullopt;
}

bool is_absent(std::int64_t manager_id, std::span<const absence> absences, time_ms now) {
    return absence_of(manager_id, absences, now) != nullptr;
}

std::int64_t route_new_ticket(std::int64_t school_manager_id, std::span<const absence> absences, time_ms now) {
    std::vector<std::int64_t> visited{school_manager_id};
    std::int64_t current = school_manager_id;
    while (const absence* a = absence_of(current, absences, now)) {
        if (std::find(visited.begin(), visited.end(), a->substitute_id) != visited.end()) break;
        current = a->substitute_id;
        visited.push_back(current);
    }
    return current;
}

std::vector<std::int64_t> covered_managers(std::int64_t manager_id, std::span<const absence> absences, time_ms now) {
    std::vector<std::int64_t> covered;
    for (const auto& a : absences) {
        if (a.manager_id == manager_id || !(a.from <= now && now < a.to)) continue;
        if (std::find(covered.begin(), covered.end(), a.manager_id) != covered.end()) continue;
        if (route_new_ticket(a.manager_id, absences, now) == manager_id) covered.push_back(a.manager_id);
    }
    return covered;
}

} // namespace campusdesk
