// The city's view of the schools' equipment (issue 18, docs/devices.md "Equipment overview"): a school's overview
// page and the similar schools, read from storage and judged in core/equipment.
#pragma once

#include "core/equipment.hpp"
#include "core/sla_report.hpp"
#include "server/devices/device_service.hpp"

#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

// The overview and the comparison look at the last twelve months of tickets.
inline constexpr int equipment_window_days = 365;
time_ms equipment_window_start(time_ms now);

// Whether `v` may open school `number`'s overview: the help desk and admins every school, a campus manager the
// schools they look after, teachers none.
bool may_see_school_overview(const app& a, const viewer& v, const std::string& number);

// One school's load: devices in service, tickets in the window, tickets per 100 devices.
struct school_ticket_load {
    std::string school_number;
    std::int64_t devices = 0;
    std::int64_t tickets = 0;
    std::optional<double> per_100;
};
// Every school of the directory (current ones), by number; and the city's median of per_100 over the schools with
// devices.
struct city_loads {
    std::vector<school_ticket_load> schools;
    std::optional<double> median_per_100;
    std::size_t schools_with_devices = 0;
};
// `schools`: the directory's current schools' numbers.
city_loads load_city_loads(SQLite::Database& db, const std::vector<std::string>& schools, time_ms now);
std::vector<std::string> current_school_numbers(const app& a);

struct school_overview {
    school_equipment equipment;
    std::vector<kind_rate> kind_rates;  // tickets about a device of each kind in the window
    school_ticket_load load;
    city_loads city;
    sla_report this_month, last_month;  // the school's tickets only (load_school_sla_report)
    std::vector<problem_device> problem_devices;
};
// Every read of a school page but its ticket lists, on one connection (the page and tests/bench).
school_overview load_school_figures(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                                    const std::vector<std::string>& schools, const std::string& number, time_ms now);
// The overview of school `number` if `u` may see it (nullopt: absent or not theirs, alike).
net::awaitable<std::optional<school_overview>> load_school_overview(app& a, const user& u, const std::string& number);

// The similar schools of every current school, `k` each (core nearest_schools), and their profiles.
struct similar_schools {
    std::vector<std::string> category_labels;  // the features' ticket categories, as the config names them
    std::vector<school_profile> profiles;      // the directory's current schools, by number
    similarity_result result;
};
similar_schools compute_similar_schools(SQLite::Database& db, const std::vector<category>& categories,
                                        const std::vector<std::string>& schools, const date::time_zone* zone,
                                        time_ms now, int k);

} // namespace campusdesk
