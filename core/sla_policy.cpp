#include "core/sla_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace campusdesk {

bool sla_policy::pauses(status s) const {
    return std::find(pause_statuses.begin(), pause_statuses.end(), s) != pause_statuses.end();
}

std::string describe_sla_settings(const sla_policy& policy, const business_calendar_config& calendar) {
    std::string out;
    auto w = std::back_inserter(out);
    for (const auto& t : policy.targets) fmt::format_to(w, "target {} {}\n", t.first_response_minutes, t.resolution_minutes);
    for (status s : policy.pause_statuses) fmt::format_to(w, "pause {}\n", to_string(s));
    fmt::format_to(w, "warning {}\nzone {}\nstate {}\nholidays are business days {}\n", policy.warning_threshold,
                   calendar.time_zone, calendar.holiday_state, calendar.school_holidays_are_business_days);
    for (std::size_t d = 0; d < calendar.working_hours.size(); ++d)
        for (const auto& i : calendar.working_hours[d]) fmt::format_to(w, "hours {} {} {}\n", d, i.begin_minute, i.end_minute);
    const auto day = [](const local_date& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); };
    for (const auto& d : calendar.closure_days) fmt::format_to(w, "closed {}\n", day(d));
    for (const auto& r : calendar.school_holidays) fmt::format_to(w, "school holidays {} {}\n", day(r.first), day(r.last));
    return out;
}

} // namespace campusdesk
