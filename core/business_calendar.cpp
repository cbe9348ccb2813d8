#include "core/business_calendar.hpp"

#include "core/german_holidays.hpp"
#include "core/local_time.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace campusdesk {
namespace {

constexpr std::int64_t seconds_per_day = 86400;
constexpr std::int64_t ms_per_second = 1000;
// Slow-path work unit: intervals are computed for this many days at once.
constexpr std::int64_t chunk_ms = 64 * seconds_per_day * ms_per_second;
// Generous bound for UTC offsets (real ones stay within ±15 h), used as a margin around local days.
constexpr std::int64_t offset_margin_s = 2 * seconds_per_day;
// The slow paths work within the years 1..9999 (what ISO 8601 can write) and throw beyond, which also bounds
// the search in add_business_ms.
const time_ms far_future_ms = std::int64_t{253402300800} * ms_per_second; // 10000-01-01
const time_ms far_past_ms = std::int64_t{-62135596800} * ms_per_second;   // 0001-01-01

void check_supported(time_ms from, time_ms to) {
    if (from < far_past_ms || to > far_future_ms)
        throw std::out_of_range("business time is computed for the years 1 to 9999 only");
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

std::int64_t day_number(local_date d, const char* what) {
    const date::year_month_day ymd{date::year{d.year}, date::month{d.month}, date::day{d.day}};
    if (!ymd.ok())
        throw std::invalid_argument(fmt::format("invalid {} date {:04}-{:02}-{:02}", what, d.year, d.month, d.day));
    return date::sys_days{ymd}.time_since_epoch().count();
}

int year_of_day(std::int64_t day) {
    return static_cast<int>(date::year_month_day{date::sys_days{date::days{day}}}.year());
}

time_ms year_start_utc_ms(int year) {
    return date::sys_days{date::year{year} / 1 / 1}.time_since_epoch().count() * seconds_per_day * ms_per_second;
}

// A span of UTC seconds with one UTC offset.
struct offset_period {
    std::int64_t begin_s;
    std::int64_t end_s;
    std::int64_t offset_s;
};

std::vector<offset_period> offset_periods(const date::time_zone* zone, std::int64_t from_s, std::int64_t to_s) {
    std::vector<offset_period> out;
    date::sys_info info = zone_info(zone, date::sys_seconds{std::chrono::seconds{from_s}});
    for (;;) {
        out.push_back({info.begin.time_since_epoch().count(), info.end.time_since_epoch().count(),
                       info.offset.count()});
        if (info.end.time_since_epoch().count() >= to_s) break;
        info = zone_info(zone, info.end);
    }
    return out;
}

} // namespace

business_calendar_config business_calendar_config::defaults() {
    business_calendar_config config;
    for (int weekday = 0; weekday < 5; ++weekday) config.working_hours[weekday] = {{7 * 60 + 30, 16 * 60 + 30}};
    return config;
}

business_calendar::business_calendar(const business_calendar_config& config, int table_first_year,
                                     int table_last_year)
    : config_(config) {
    try {
        zone_ = date::locate_zone(config.time_zone);
    } catch (const std::exception&) {
        throw std::invalid_argument(fmt::format("unknown time zone '{}'", config.time_zone));
    }
    if (!is_known_state(config.holiday_state))
        throw std::invalid_argument(fmt::format("unknown German state '{}'", config.holiday_state));
    bool any_hours = false;
    for (std::size_t weekday = 0; weekday < 7; ++weekday) {
        auto hours = config.working_hours[weekday];
        for (const working_interval& iv : hours)
            if (iv.begin_minute < 0 || iv.end_minute > 24 * 60 || iv.begin_minute >= iv.end_minute)
                throw std::invalid_argument(fmt::format("invalid working interval {}-{} (minutes after midnight)",
                                                        iv.begin_minute, iv.end_minute));
        std::sort(hours.begin(), hours.end(),
                  [](const working_interval& a, const working_interval& b) { return a.begin_minute < b.begin_minute; });
        for (const working_interval& iv : hours) {
            if (!hours_[weekday].empty() && iv.begin_minute <= hours_[weekday].back().end_minute)
                hours_[weekday].back().end_minute = std::max(hours_[weekday].back().end_minute, iv.end_minute);
            else
                hours_[weekday].push_back(iv);
        }
        any_hours = any_hours || !hours.empty();
    }
    if (!any_hours) throw std::invalid_argument("the business calendar has no working hours on any weekday");
    for (const local_date& d : config.closure_days) closure_days_.push_back(day_number(d, "closure day"));
    std::sort(closure_days_.begin(), closure_days_.end());
    for (const date_range& r : config.school_holidays) {
        const auto first = day_number(r.first, "school holiday");
        const auto last = day_number(r.last, "school holiday");
        if (last < first)
            throw std::invalid_argument(fmt::format("school holiday '{}' ends before it begins", r.name));
        school_holidays_.emplace_back(first, last);
    }
    std::sort(school_holidays_.begin(), school_holidays_.end());
    if (table_first_year > table_last_year) throw std::invalid_argument("empty business calendar table range");

    // The margin years cover local days that straddle the table's UTC boundaries.
    holiday_first_year_ = table_first_year - 1;
    holiday_last_year_ = table_last_year + 1;
    append_holidays(holiday_first_year_, holiday_last_year_, table_holidays_);
    std::sort(table_holidays_.begin(), table_holidays_.end());

    table_from_ = year_start_utc_ms(table_first_year);
    table_to_ = year_start_utc_ms(table_last_year + 1);
    const std::vector<interval> table = intervals_between(table_from_, table_to_);
    begins_.reserve(table.size());
    ends_.reserve(table.size());
    cum_end_.reserve(table.size());
    for (const interval& iv : table) {
        table_total_ += iv.end - iv.begin;
        begins_.push_back(iv.begin);
        ends_.push_back(iv.end);
        cum_end_.push_back(table_total_);
    }
}

void business_calendar::append_holidays(int first_year, int last_year, std::vector<std::int64_t>& out) const {
    for (int year = first_year; year <= last_year; ++year)
        for (const holiday& h : public_holidays(year, config_.holiday_state))
            out.push_back(day_number(h.date, "holiday"));
}

bool business_calendar::is_business_day_number(std::int64_t day, const std::vector<std::int64_t>& holidays) const {
    // 1970-01-01 was a Thursday (index 3 with Monday = 0).
    const auto weekday = static_cast<std::size_t>(((day + 3) % 7 + 7) % 7);
    if (hours_[weekday].empty()) return false;
    if (std::binary_search(holidays.begin(), holidays.end(), day)) return false;
    if (std::binary_search(closure_days_.begin(), closure_days_.end(), day)) return false;
    if (!config_.school_holidays_are_business_days)
        for (const auto& [first, last] : school_holidays_)
            if (first <= day && day <= last) return false;
    return true;
}

bool business_calendar::is_business_day(local_date day) const {
    const std::int64_t n = day_number(day, "calendar");
    if (day.year >= holiday_first_year_ && day.year <= holiday_last_year_)
        return is_business_day_number(n, table_holidays_);
    std::vector<std::int64_t> holidays;
    append_holidays(day.year, day.year, holidays);
    std::sort(holidays.begin(), holidays.end());
    return is_business_day_number(n, holidays);
}

std::vector<business_calendar::interval> business_calendar::intervals_between(time_ms from, time_ms to) const {
    std::vector<interval> out;
    if (to <= from) return out;
    const std::int64_t from_s = floor_div(from, ms_per_second);
    const std::int64_t to_s = ceil_div(to, ms_per_second);
    const std::int64_t first_day = floor_div(from_s - offset_margin_s, seconds_per_day);
    const std::int64_t last_day = floor_div(to_s + offset_margin_s, seconds_per_day);

    std::vector<std::int64_t> local_holidays;
    const int first_year = year_of_day(first_day);
    const int last_year = year_of_day(last_day);
    const bool in_table = first_year >= holiday_first_year_ && last_year <= holiday_last_year_;
    if (!in_table) {
        append_holidays(first_year, last_year, local_holidays);
        std::sort(local_holidays.begin(), local_holidays.end());
    }
    const std::vector<std::int64_t>& holidays = in_table ? table_holidays_ : local_holidays;

    const std::vector<offset_period> periods =
        offset_periods(zone_, (first_day - 1) * seconds_per_day, (last_day + 2) * seconds_per_day);
    std::size_t cursor = 0;
    for (std::int64_t day = first_day; day <= last_day; ++day) {
        if (!is_business_day_number(day, holidays)) continue;
        const auto weekday = static_cast<std::size_t>(((day + 3) % 7 + 7) % 7);
        for (const working_interval& iv : hours_[weekday]) {
            // Local wall-clock seconds of the interval; every UTC instant whose local time falls inside counts.
            const std::int64_t local_begin = day * seconds_per_day + iv.begin_minute * std::int64_t{60};
            const std::int64_t local_end = day * seconds_per_day + iv.end_minute * std::int64_t{60};
            while (cursor + 1 < periods.size() && periods[cursor].end_s <= local_begin - offset_margin_s) ++cursor;
            for (std::size_t k = cursor; k < periods.size() && periods[k].begin_s < local_end + offset_margin_s;
                 ++k) {
                const offset_period& p = periods[k];
                const std::int64_t lo_s = std::max(p.begin_s, local_begin - p.offset_s);
                const std::int64_t hi_s = std::min(p.end_s, local_end - p.offset_s);
                if (lo_s >= hi_s) continue;
                const time_ms lo = std::max(lo_s * ms_per_second, from);
                const time_ms hi = std::min(hi_s * ms_per_second, to);
                if (lo < hi) out.push_back({lo, hi});
            }
        }
    }
    // Pieces of one day are ordered, but a zone that jumps back across midnight can interleave days.
    std::sort(out.begin(), out.end(), [](const interval& a, const interval& b) { return a.begin < b.begin; });
    std::size_t merged = 0;
    for (const interval& iv : out) {
        if (merged > 0 && iv.begin <= out[merged - 1].end)
            out[merged - 1].end = std::max(out[merged - 1].end, iv.end);
        else
            out[merged++] = iv;
    }
    out.resize(merged);
    return out;
}

std::int64_t business_calendar::slow_business_ms(time_ms from, time_ms to) const {
    check_supported(from, to);
    std::int64_t total = 0;
    for (time_ms chunk = from; chunk < to;) {
        const time_ms chunk_end = chunk < to - chunk_ms ? chunk + chunk_ms : to;
        for (const interval& iv : intervals_between(chunk, chunk_end)) total += iv.end - iv.begin;
        chunk = chunk_end;
    }
    return total;
}

time_ms business_calendar::slow_add(time_ms from, std::int64_t& ms, time_ms limit) const {
    check_supported(from, from);
    for (time_ms chunk = from; chunk < limit;) {
        if (chunk >= far_future_ms)
            throw std::out_of_range("business time cannot be used up before the year 10000");
        const time_ms chunk_end = chunk < limit - chunk_ms ? chunk + chunk_ms : limit;
        for (const interval& iv : intervals_between(chunk, chunk_end)) {
            if (iv.end - iv.begin >= ms) {
                const time_ms at = iv.begin + ms;
                ms = 0;
                return at;
            }
            ms -= iv.end - iv.begin;
        }
        chunk = chunk_end;
    }
    return limit;
}

std::int64_t business_calendar::business_position(time_ms t) const {
    if (t < table_from_) return -slow_business_ms(t, table_from_);
    if (t >= table_to_) return table_total_ + slow_business_ms(table_to_, t);
    const auto it = std::upper_bound(begins_.begin(), begins_.end(), t);
    if (it == begins_.begin()) return 0;
    const auto i = static_cast<std::size_t>(it - begins_.begin() - 1);
    return cum_end_[i] - (ends_[i] - std::min(t, ends_[i]));
}

std::int64_t business_calendar::business_ms(time_ms from, time_ms to) const {
    if (to <= from) return 0;
    if (to <= table_from_ || from >= table_to_) return slow_business_ms(from, to);
    return business_position(to) - business_position(from);
}

time_ms business_calendar::add_business_ms(time_ms from, std::int64_t ms) const {
    if (ms < 0) throw std::invalid_argument("add_business_ms: negative duration");
    if (ms == 0) return from;
    std::int64_t rest = ms;
    time_ms t = from;
    if (t < table_from_) {
        const time_ms at = slow_add(t, rest, table_from_);
        if (rest == 0) return at;
        t = table_from_;
    }
    if (t < table_to_) {
        const std::int64_t target = business_position(t) + rest;
        if (target <= table_total_) {
            const auto i = static_cast<std::size_t>(std::lower_bound(cum_end_.begin(), cum_end_.end(), target) -
                                                    cum_end_.begin());
            return ends_[i] - (cum_end_[i] - target);
        }
        rest = target - table_total_;
        t = table_to_;
    }
    return slow_add(t, rest, std::numeric_limits<time_ms>::max());
}

} // namespace campusdesk
