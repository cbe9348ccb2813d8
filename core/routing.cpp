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
