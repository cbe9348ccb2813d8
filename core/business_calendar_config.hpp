// Plain settings of the business calendar, as read from campusdesk.toml and config/calendar/.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace campusdesk {

// A local wall-clock interval within one day, in minutes after midnight: [begin, end).
struct working_interval {
    int begin_minute = 0;
    int end_minute = 0;
};

// A local calendar date.
struct local_date {
    int year = 0;
    unsigned month = 0;
    unsigned day = 0;
    friend auto operator<=>(const local_date&, const local_date&) = default;
};

// Inclusive range of local dates.
struct date_range {
    local_date first;
    local_date last;
    std::string name;
};

struct business_calendar_config {
    std::string time_zone = "Europe/Berlin";
    // Index 0 = Monday … 6 = Sunday.
    std::array<std::vector<working_interval>, 7> working_hours{};
    std::string holiday_state = "NW";      // German state whose public holidays apply
    std::vector<local_date> closure_days;  // extra closure days (e.g. a Brückentag)
    std::vector<date_range> school_holidays;
    bool school_holidays_are_business_days = true;

    // Mon–Fri 07:30–16:30, weekend closed (SLA.md §1).
    static business_calendar_config defaults();
};

} // namespace campusdesk
