#include "core/local_time.hpp"

#include <date/date.h>
#include <fmt/format.h>

// ptz.h (date 3.0.1) names an unqualified hh_mm_ss under `using namespace date; using namespace std::chrono;`,
// which C++20's std::chrono::hh_mm_ss makes ambiguous. Route it to date's through an alias for this include.
namespace date {
template <class Duration>
using ptz_hh_mm_ss = hh_mm_ss<Duration>;
}
#define hh_mm_ss ptz_hh_mm_ss
#include <date/ptz.h>
#undef hh_mm_ss

#include <array>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <stdexcept>

namespace campusdesk {
namespace {

using std::chrono::seconds;

// The POSIX TZ rule at the end of a zone's TZif file (version 2+), or nullopt if there is none.
std::optional<Posix::time_zone> read_footer_rule(const date::time_zone* zone) {
    const char* dir = std::getenv("TZDIR");
    const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + zone->name();
    std::ifstream in(path, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.size() < 6 || data.compare(0, 4, "TZif") != 0 || data[4] == '\0' || data.back() != '\n')
        return std::nullopt;
    const auto start = data.rfind('\n', data.size() - 2);
    if (start == std::string::npos) return std::nullopt;
    const std::string rule = data.substr(start + 1, data.size() - start - 2);
    if (rule.empty()) return std::nullopt;
    try {
        return Posix::time_zone(rule);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

const Posix::time_zone* footer_rule(const date::time_zone* zone) {
    // Read once per zone; only instants after the last explicit transition get here, so the lock is cold.
    static std::mutex mutex;
    static std::map<const date::time_zone*, std::optional<Posix::time_zone>> cache;
    const std::lock_guard lock(mutex);
    auto it = cache.find(zone);
    if (it == cache.end()) it = cache.emplace(zone, read_footer_rule(zone)).first;
    return it->second ? &*it->second : nullptr;
}

date::sys_seconds to_sys_seconds(time_ms t) {
    return date::floor<seconds>(date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{t}});
}

date::local_seconds to_local(time_ms t, const date::time_zone* zone) {
    const auto s = to_sys_seconds(t);
    return date::local_seconds{s.time_since_epoch() + zone_info(zone, s).offset};
}

time_ms to_ms(date::sys_seconds s) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(s.time_since_epoch()).count();
}

// The earliest instant whose local time is `lt`; for a local time in a gap, the transition that skips it.
date::sys_seconds earliest_instant_of(date::local_seconds lt, const date::time_zone* zone) {
    const date::sys_seconds naive{lt.time_since_epoch()};
    date::sys_info info = zone_info(zone, naive - date::days{2});
    for (;;) {
        const date::sys_seconds candidate = naive - info.offset;
        if (candidate < info.begin) return info.begin; // lt was skipped when this period began
        if (candidate < info.end || info.end >= date::sys_days{date::year{9999} / 1 / 1}) return candidate;
        info = zone_info(zone, info.end);
    }
}

int parse_digits(std::string_view text, std::size_t pos, std::size_t count, bool& ok) {
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = pos + i < text.size() ? text[pos + i] : '\0';
        if (c < '0' || c > '9') {
            ok = false;
            return 0;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

date::sys_info lookup_zone_info(const date::time_zone* zone, date::sys_seconds t) {
    date::sys_info info = zone->get_info(t);
    if (info.end < date::sys_days{date::year{9999} / 1 / 1}) return info;
    // t is after the last explicit transition of the TZif data: the footer rule applies from there on.
    const Posix::time_zone* rule = footer_rule(zone);
    if (rule == nullptr) return info;
    date::sys_info rule_info = rule->get_info(t);
    if (rule_info.begin < info.begin) rule_info.begin = info.begin;
    return rule_info;
}

// A local time's calendar fields.
struct local_fields {
    int year;
    unsigned month, day, hour, minute, second;
    bool four_digit_year() const { return year >= 0 && year <= 9999; }
};

local_fields fields_of(date::local_seconds lt) {
    const auto day = date::floor<date::days>(lt);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<seconds> tod{lt - day};
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
            static_cast<unsigned>(tod.hours().count()), static_cast<unsigned>(tod.minutes().count()),
            static_cast<unsigned>(tod.seconds().count())};
}

// The last N decimal digits of `value`, zero-padded, at `p`; returns the end. Times in lists and pages are
// written with this rather than fmt's padded fields, which cost ~1,200 instructions per time (a tenth of a
// list API request; tests/bench/profiling.md, step 24).
template <int N>
char* put_digits(char* p, unsigned value) {
    for (int i = N - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return p + N;
}

} // namespace

date::sys_info zone_info(const date::time_zone* zone, date::sys_seconds t) {
    // Lookups come in runs inside one period between transitions (a ticket's events, a page of rows), and
    // get_info searches the transitions and builds a new sys_info every time: the last period is kept per thread.
    thread_local const date::time_zone* last_zone = nullptr;
    thread_local date::sys_info last;
    if (zone != last_zone || t < last.begin || t >= last.end) {
        last = lookup_zone_info(zone, t);
        last_zone = zone;
    }
    return last;
}

local_date local_date_of(time_ms t, const date::time_zone* zone) {
    const date::year_month_day ymd{date::floor<date::days>(to_local(t, zone))};
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

time_ms local_day_start(local_date day, const date::time_zone* zone) {
    const date::year_month_day ymd{date::year{day.year}, date::month{day.month}, date::day{day.day}};
    if (!ymd.ok()) throw std::invalid_argument(fmt::format("invalid date {}-{}-{}", day.year, day.month, day.day));
    return to_ms(earliest_instant_of(date::local_days{ymd}, zone));
}

std::optional<time_ms> parse_local_datetime(std::string_view text, const date::time_zone* zone) {
    if (text.size() != 16 || text[10] != 'T' || text[13] != ':') return std::nullopt;
    const auto day = parse_iso_date(text.substr(0, 10));
    bool ok = true;
    const int hour = parse_digits(text, 11, 2, ok), minute = parse_digits(text, 14, 2, ok);
    if (!day || !ok || hour > 23 || minute > 59) return std::nullopt;
    const date::year_month_day ymd{date::year{day->year}, date::month{day->month}, date::day{day->day}};
    const auto lt = date::local_seconds{date::local_days{ymd}} + std::chrono::hours{hour} + std::chrono::minutes{minute};
    return to_ms(earliest_instant_of(lt, zone));
}

std::optional<local_date> parse_iso_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto number = [&](std::size_t at, std::size_t n) -> std::optional<unsigned> {
        unsigned v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            v = v * 10 + static_cast<unsigned>(text[i] - '0');
        }
        return v;
    };
    const auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
    if (!y || !m || !d) return std::nullopt;
    const date::year_month_day ymd{date::year{static_cast<int>(*y)}, date::month{*m}, date::day{*d}};
    if (!ymd.ok()) return std::nullopt;
    return local_date{static_cast<int>(*y), *m, *d};
}

time_ms local_day_end(local_date day, const date::time_zone* zone) {
    const date::year_month_day ymd{date::year{day.year}, date::month{day.month}, date::day{day.day}};
    if (!ymd.ok()) throw std::invalid_argument(fmt::format("invalid date {}-{}-{}", day.year, day.month, day.day));
    const date::year_month_day next{date::sys_days{ymd} + date::days{1}};
    return local_day_start({static_cast<int>(next.year()), static_cast<unsigned>(next.month()),
                            static_cast<unsigned>(next.day())},
                           zone);
}

namespace {

constexpr std::array<std::string_view, 12> english_months{"January", "February", "March",     "April",
                                                         "May",     "June",     "July",      "August",
                                                         "September", "October", "November", "December"};

} // namespace

std::string format_german_period(time_ms from, time_ms to, const date::time_zone* zone) {
    return format_period(from, to, zone, language::de);
}

std::string format_period(time_ms from, time_ms to, const date::time_zone* zone, language lang) {
    const bool en = lang == language::en;
    const auto first = local_date_of(from, zone);
    const auto after = local_date_of(to, zone);
    if (local_day_start(first, zone) == from && local_day_start(after, zone) == to && to > from) {
        const date::year_month_day last{date::sys_days{date::year{after.year} / date::month{after.month} /
                                                       date::day{after.day}} - date::days{1}};
        const auto day_text = [en](int y, unsigned m, unsigned d) {
            return en ? fmt::format("{} {} {}", d, english_months[m - 1].substr(0, 3), y)
                      : fmt::format("{:02}.{:02}.{:04}", d, m, y);
        };
        const auto last_text = day_text(static_cast<int>(last.year()), static_cast<unsigned>(last.month()),
                                        static_cast<unsigned>(last.day()));
        const auto first_text = day_text(first.year, first.month, first.day);
        if (first_text == last_text) return first_text;
        return first_text + (en ? " to " : " bis einschließlich ") + last_text + (en ? " inclusive" : "");
    }
    return format_datetime(from, zone, lang) + (en ? " to " : " bis ") + format_datetime(to, zone, lang);
}

time_ms local_month_start(int year, unsigned month, const date::time_zone* zone) {
    if (month < 1 || month > 12) throw std::invalid_argument(fmt::format("invalid month {}", month));
    return local_day_start({year, month, 1}, zone);
}

std::string format_iso8601(time_ms t, const date::time_zone* zone) {
    std::string out;
    append_iso8601(out, t, zone);
    return out;
}

void append_iso8601(std::string& out, time_ms t, const date::time_zone* zone) {
    const auto s = to_sys_seconds(t);
    const auto offset = zone_info(zone, s).offset;
    const local_fields f = fields_of(date::local_seconds{s.time_since_epoch() + offset});
    const auto off_min = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
    const auto abs_min = static_cast<unsigned>(off_min < 0 ? -off_min : off_min);
    if (!f.four_digit_year()) {
        out += fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", f.year, f.month, f.day, f.hour, f.minute,
                           f.second, off_min < 0 ? '-' : '+', abs_min / 60, abs_min % 60);
        return;
    }
    char text[25];  // YYYY-MM-DDThh:mm:ss+hh:mm
    char* p = put_digits<4>(text, static_cast<unsigned>(f.year));
    *p++ = '-';
    p = put_digits<2>(p, f.month);
    *p++ = '-';
    p = put_digits<2>(p, f.day);
    *p++ = 'T';
    p = put_digits<2>(p, f.hour);
    *p++ = ':';
    p = put_digits<2>(p, f.minute);
    *p++ = ':';
    p = put_digits<2>(p, f.second);
    *p++ = off_min < 0 ? '-' : '+';
    p = put_digits<2>(p, abs_min / 60);
    *p++ = ':';
    p = put_digits<2>(p, abs_min % 60);
    out.append(text, p);
}

std::optional<time_ms> parse_iso8601(std::string_view text) {
    bool ok = true;
    const auto sep = [&](std::size_t pos, char c) { ok = ok && pos < text.size() && text[pos] == c; };
    const int year = parse_digits(text, 0, 4, ok);
    sep(4, '-');
    const int month = parse_digits(text, 5, 2, ok);
    sep(7, '-');
    const int day = parse_digits(text, 8, 2, ok);
    sep(10, 'T');
    const int hour = parse_digits(text, 11, 2, ok);
    sep(13, ':');
    const int minute = parse_digits(text, 14, 2, ok);
    if (!ok) return std::nullopt;
    std::size_t pos = 16;
    int second = 0;
    std::int64_t millis = 0;
    if (pos < text.size() && text[pos] == ':') {
        second = parse_digits(text, pos + 1, 2, ok);
        pos += 3;
        if (ok && pos < text.size() && text[pos] == '.') {
            ++pos;
            std::size_t digits = 0;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                if (digits < 3) millis = millis * 10 + (text[pos] - '0');
                ++digits;
                ++pos;
            }
            if (digits == 0 || digits > 9) return std::nullopt;
            for (std::size_t i = digits; i < 3; ++i) millis *= 10;
        }
    }
    if (!ok || pos >= text.size()) return std::nullopt;
    int offset_minutes = 0;
    if (text[pos] == 'Z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos] == '-' ? -1 : 1;
        const int oh = parse_digits(text, pos + 1, 2, ok);
        sep(pos + 3, ':');
        const int om = parse_digits(text, pos + 4, 2, ok);
        if (!ok || oh > 23 || om > 59) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                   date::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return std::nullopt;
    const auto local = date::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                       seconds{second} - std::chrono::minutes{offset_minutes};
    return to_ms(local) + millis;
}

std::string format_german_datetime(time_ms t, const date::time_zone* zone) {
    const local_fields f = fields_of(to_local(t, zone));
    if (!f.four_digit_year())
        return fmt::format("{:02}.{:02}.{:04}, {:02}:{:02}", f.day, f.month, f.year, f.hour, f.minute);
    char text[17];  // dd.mm.yyyy, hh:mm
    char* p = put_digits<2>(text, f.day);
    *p++ = '.';
    p = put_digits<2>(p, f.month);
    *p++ = '.';
    p = put_digits<4>(p, static_cast<unsigned>(f.year));
    *p++ = ',';
    *p++ = ' ';
    p = put_digits<2>(p, f.hour);
    *p++ = ':';
    p = put_digits<2>(p, f.minute);
    return std::string(text, p);
}

std::string format_german_duration(std::int64_t ms, int business_day_minutes) {
    return format_duration(ms, business_day_minutes, language::de);
}

std::string format_duration(std::int64_t ms, int business_day_minutes, language lang) {
    // Whole minutes first, so that a sub-minute negative duration is "0 Min." and not "-0 Min.".
    const std::int64_t signed_minutes = ms / 60000;
    if (signed_minutes < 0) return "-" + format_duration(-(signed_minutes * 60000), business_day_minutes, lang);
    const bool en = lang == language::en;
    const std::string_view d = en ? "d" : "Tg.", h = en ? "h" : "Std.", m = en ? "min" : "Min.";
    const std::int64_t minutes = signed_minutes;
    const std::int64_t day = business_day_minutes > 0 ? business_day_minutes : 0;
    if (day > 0 && minutes >= day) {
        const std::int64_t hours = (minutes % day) / 60;
        return hours > 0 ? fmt::format("{} {} {} {}", minutes / day, d, hours, h) : fmt::format("{} {}", minutes / day, d);
    }
    if (minutes >= 60) {
        const std::int64_t rest = minutes % 60;
        return rest > 0 ? fmt::format("{} {} {} {}", minutes / 60, h, rest, m) : fmt::format("{} {}", minutes / 60, h);
    }
    return fmt::format("{} {}", minutes, m);
}

std::string format_german_long_datetime(time_ms t, const date::time_zone* zone, time_ms now) {
    return format_long_datetime(t, zone, now, language::de);
}

std::string format_business_remainder(std::int64_t ms, int business_day_minutes, language lang) {
    const std::int64_t minutes = ms > 0 ? ms / 60000 : 0;
    const std::int64_t day = business_day_minutes > 0 ? business_day_minutes : 0;
    auto unit = [](std::int64_t n, std::string_view one, std::string_view many) {
        return fmt::format("{} {}", n, n == 1 ? one : many);
    };
    const bool en = lang == language::en;
    const auto days = unit(minutes / (day > 0 ? day : 1), en ? "business day" : "Geschäftstag",
                           en ? "business days" : "Geschäftstage");
    const auto hours = unit((day > 0 ? minutes % day : minutes) / 60, en ? "business hour" : "Geschäftsstunde",
                            en ? "business hours" : "Geschäftsstunden");
    const auto rest = unit(minutes % 60, en ? "minute" : "Minute", en ? "minutes" : "Minuten");
    if (day > 0 && minutes >= day) return (minutes % day) / 60 > 0 ? days + " " + hours : days;
    if (minutes >= 60) return minutes % 60 > 0 ? hours + " " + rest : hours;
    return rest;
}


std::string format_datetime(time_ms t, const date::time_zone* zone, language lang) {
    if (lang == language::de) return format_german_datetime(t, zone);
    const local_fields f = fields_of(to_local(t, zone));
    return fmt::format("{} {} {}, {:02}:{:02}", f.day, english_months[f.month - 1].substr(0, 3), f.year, f.hour,
                       f.minute);
}

std::string format_long_datetime(time_ms t, const date::time_zone* zone, time_ms now, language lang) {
    static constexpr std::array<std::string_view, 7> weekdays_de{"Sonntag",    "Montag",  "Dienstag", "Mittwoch",
                                                                 "Donnerstag", "Freitag", "Samstag"};
    static constexpr std::array<std::string_view, 12> months_de{"Januar",    "Februar", "März",     "April",
                                                                "Mai",       "Juni",    "Juli",     "August",
                                                                "September", "Oktober", "November", "Dezember"};
    static constexpr std::array<std::string_view, 7> weekdays_en{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                                 "Thursday", "Friday", "Saturday"};
    const bool en = lang == language::en;
    const auto local = to_local(t, zone);
    const local_fields f = fields_of(local);
    const auto weekday = (en ? weekdays_en : weekdays_de)[date::weekday{date::floor<date::days>(local)}.c_encoding()];
    const auto month = (en ? english_months : months_de)[f.month - 1];
    const std::string year = f.year == fields_of(to_local(now, zone)).year ? "" : fmt::format(" {}", f.year);
    // German "Mittwoch, 2. Dezember, 10:30 Uhr", English "Wednesday, 2 December, 10:30".
    return fmt::format(fmt::runtime(en ? "{}, {} {}{}, {:02}:{:02}" : "{}, {}. {}{}, {:02}:{:02} Uhr"), weekday, f.day,
                       month, year, f.hour, f.minute);
}

} // namespace campusdesk
