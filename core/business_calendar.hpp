// Business calendar: which instants are business time (SLA.md §1), and business time between instants.
#pragma once

#include "core/business_calendar_config.hpp"
#include "core/ticket.hpp"

#include <date/tz.h>

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace campusdesk {

// An instant is business time when its local wall-clock time in the calendar's zone lies in one of the working
// intervals of its local date, and that date is a business day (not a public holiday of the state, not a
// closure day, not in school holidays unless they are business days). Business time is thus exactly what a
// clock on the wall shows during working hours, so DST switches are handled without special rules:
//  - spring forward: local times in the gap never occur, so an interval 00:00-24:00 holds 23 real hours and
//    02:00-04:00 holds one (03:00-04:00);
//  - fall back: local times in the repeated hour occur twice and count twice, so 00:00-24:00 holds 25 hours
//    and 02:00-03:00 two.
// Working intervals are [begin, end) in minutes after local midnight with 0 <= begin < end <= 1440; a shift
// past midnight is written as two intervals on consecutive weekdays.
//
// Immutable after construction and safe to share between threads. Business intervals of the years
// [table_first_year, table_last_year] are precomputed as UTC instants with prefix sums, so a query is two
// binary searches; instants outside are computed exactly, day by day, on the fly.
class business_calendar {
public:
    // Throws std::invalid_argument for an unknown time zone or state, a malformed working interval or date,
    // or a week without any working hours (no SLA clock could ever run).
    explicit business_calendar(const business_calendar_config& config, int table_first_year = 2000,
                               int table_last_year = 2100);

    // Exact business milliseconds in [from, to); 0 if to <= from.
    std::int64_t business_ms(time_ms from, time_ms to) const;

    // The earliest instant at which `ms` of business time starting at `from` is used up: business_ms(from,
    // result) == ms. An instant at the end of a working interval is returned as that end, not as the start of
    // the next one. ms == 0 gives `from`; ms < 0 throws std::invalid_argument.
    time_ms add_business_ms(time_ms from, std::int64_t ms) const;

    // Business milliseconds from a fixed origin of this calendar to `t` (negative before the origin), so that
    // business_ms(a, b) == business_position(b) - business_position(a) for any a <= b. Lets a caller measure
    // many adjacent spans with one lookup per instant.
    std::int64_t business_position(time_ms t) const;

    // Whether the local date `day` has business time: a weekday with working hours that is no public holiday,
    // closure day or (when they do not count) school holiday.
    bool is_business_day(local_date day) const;

    const date::time_zone* zone() const { return zone_; }
    const business_calendar_config& config() const { return config_; }

private:
    struct interval {
        time_ms begin;
        time_ms end;
    };

    bool is_business_day_number(std::int64_t day, const std::vector<std::int64_t>& holidays) const;
    void append_holidays(int first_year, int last_year, std::vector<std::int64_t>& out) const;
    // Business intervals intersected with [from, to), sorted and merged.
    std::vector<interval> intervals_between(time_ms from, time_ms to) const;
    std::int64_t slow_business_ms(time_ms from, time_ms to) const;
    // Walks forward from `from` until `ms` are used up or `limit` is reached; returns the instant, or
    // (limit, rest) when the business time before `limit` is not enough.
    time_ms slow_add(time_ms from, std::int64_t& ms, time_ms limit) const;

    business_calendar_config config_;
    const date::time_zone* zone_ = nullptr;
    std::array<std::vector<working_interval>, 7> hours_; // sorted, merged; index 0 = Monday
    std::vector<std::int64_t> closure_days_;             // days since 1970-01-01, sorted
    std::vector<std::pair<std::int64_t, std::int64_t>> school_holidays_; // inclusive day ranges

    // Precomputed table over [table_from_, table_to_).
    time_ms table_from_ = 0;
    time_ms table_to_ = 0;
    int holiday_first_year_ = 0;               // table_holidays_ holds the public holidays of these years
    int holiday_last_year_ = 0;
    std::vector<std::int64_t> table_holidays_; // day numbers, sorted
    std::vector<time_ms> begins_;
    std::vector<time_ms> ends_;
    std::vector<std::int64_t> cum_end_;        // business ms in [table_from_, ends_[i])
    std::int64_t table_total_ = 0;
};

} // namespace campusdesk
