#include "server/devices/equipment_service.hpp"

#include "core/local_time.hpp"
#include "server/reports/report_tables.hpp"
#include "server/reports/sla_export.hpp"
#include "storage/equipment_repository.hpp"

#include <algorithm>
#include <map>

namespace campusdesk {

time_ms equipment_window_start(time_ms now) {
    return now - static_cast<time_ms>(equipment_window_days) * 24 * 3600 * 1000;
}

bool may_see_school_overview(const app& a, const viewer& v, const std::string& number) {
    const auto* s = a.dir.school(number);
    if (!s) return false;
    if (is_help_desk(v.who)) return true;
    return v.who == role::campus_manager && v.looks_after(s->manager_id);
}

std::vector<std::string> current_school_numbers(const app& a) {
    std::vector<std::string> numbers;
    for (const auto& s : a.dir.current().schools) numbers.push_back(s.number);
    return numbers;
}

city_loads load_city_loads(SQLite::Database& db, const std::vector<std::string>& schools, time_ms now) {
    std::map<std::string, school_ticket_load, std::less<>> by_school;
    for (const auto& number : schools) by_school[number].school_number = number;
    for (const auto& [school, devices] : load_devices_per_school(db))
        if (auto it = by_school.find(school); it != by_school.end()) it->second.devices = devices;
    for (const auto& c : load_school_ticket_counts(db, equipment_window_start(now), false))
        if (auto it = by_school.find(c.school_number); it != by_school.end()) it->second.tickets = c.tickets;
    city_loads out;
    std::vector<double> rates;
    for (auto& [number, load] : by_school) {
        load.per_100 = tickets_per_100(load.tickets, load.devices);
        if (load.per_100) rates.push_back(*load.per_100);
        out.schools.push_back(std::move(load));
    }
    out.schools_with_devices = rates.size();
    out.median_per_100 = median_of(std::move(rates));
    return out;
}

school_overview load_school_figures(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                                    const std::vector<std::string>& schools, const std::string& number, time_ms now) {
    school_overview o;
    const auto day = local_date_of(now, calendar.zone());
    o.equipment = summarize_equipment(load_device_counts(db, number, day), day.year);
    o.kind_rates = device_kind_rates(db, {number}, equipment_window_start(now));
    o.city = load_city_loads(db, schools, now);
    if (auto it = std::find_if(o.city.schools.begin(), o.city.schools.end(),
                               [&](const school_ticket_load& l) { return l.school_number == number; });
        it != o.city.schools.end())
        o.load = *it;
    const auto month = month_of(now, calendar.zone());
    o.this_month = load_school_sla_report(db, config, calendar, month, now, number);
    o.last_month = load_school_sla_report(db, config, calendar, previous_month(month), now, number);
    o.problem_devices = problem_devices(db, {number}, problem_window_start(now, config.devices.problem_days), 10);
    return o;
}

net::awaitable<std::optional<school_overview>> load_school_overview(app& a, const user& u, const std::string& number) {
    const time_ms now = now_ms();
    const auto schools = current_school_numbers(a);
    co_return co_await a.storage->read([&](SQLite::Database& db) -> std::optional<school_overview> {
        if (!may_see_school_overview(a, current_viewer(a, db, u, now), number)) return std::nullopt;
        return load_school_figures(db, a.config, a.calendar, schools, number, now);
    });
}

similar_schools compute_similar_schools(SQLite::Database& db, const std::vector<category>& categories,
                                        const std::vector<std::string>& schools, const date::time_zone* zone,
                                        time_ms now, int k) {
    similar_schools out;
    const auto day = local_date_of(now, zone);
    std::map<std::string, std::vector<device_count>, std::less<>> counts;
    for (auto& c : load_device_counts(db, "", day)) counts[c.school_number].push_back(std::move(c));
    std::map<std::string, std::map<std::string, std::int64_t>, std::less<>> tickets;
    for (auto& c : load_school_ticket_counts(db, equipment_window_start(now), true))
        tickets[c.school_number][c.category] += c.tickets;
    std::vector<std::string> category_ids;
    for (const auto& c : categories) {
        category_ids.push_back(c.id);
        out.category_labels.push_back(c.label);
    }
    for (const auto& number : schools) {
        school_profile p;
        p.school_number = number;
        if (auto it = counts.find(number); it != counts.end()) p.equipment = summarize_equipment(it->second, day.year);
        if (auto it = tickets.find(number); it != tickets.end()) p.tickets_per_category = std::move(it->second);
        out.profiles.push_back(std::move(p));
    }
    out.result = nearest_schools(out.profiles, category_ids, k);
    out.result.features = feature_names(out.category_labels);
    return out;
}

} // namespace campusdesk
