#include "core/german_holidays.hpp"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace campusdesk {
namespace {

constexpr std::array<std::string_view, 16> state_codes{"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV",
                                                       "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"};

using state_mask = std::uint32_t;

constexpr state_mask bit(std::string_view code) {
    for (std::size_t i = 0; i < state_codes.size(); ++i)
        if (state_codes[i] == code) return state_mask{1} << i;
    return 0; // unreachable for the codes used below
}

constexpr state_mask all_states = (state_mask{1} << state_codes.size()) - 1;

enum class rule_kind { fixed, easter_offset, buss_und_bettag };

struct holiday_rule {
    rule_kind kind;
    unsigned month = 0; // fixed
    unsigned day = 0;   // fixed
    int offset = 0;     // easter_offset: days after Easter Sunday
    std::string_view name;
    state_mask states = 0;
    int first_year = INT_MIN;
    int last_year = INT_MAX;
};

constexpr holiday_rule fixed(unsigned m, unsigned d, std::string_view name, state_mask states,
                             int first_year = INT_MIN, int last_year = INT_MAX) {
    return {rule_kind::fixed, m, d, 0, name, states, first_year, last_year};
}

constexpr holiday_rule easter(int offset, std::string_view name, state_mask states) {
    return {rule_kind::easter_offset, 0, 0, offset, name, states, INT_MIN, INT_MAX};
}

constexpr state_mask catholic_south = bit("BW") | bit("BY") | bit("NW") | bit("RP") | bit("SL");
constexpr state_mask east = bit("BB") | bit("MV") | bit("SN") | bit("ST") | bit("TH");
constexpr state_mask north = bit("HB") | bit("HH") | bit("NI") | bit("SH");

// Feiertagsgesetze of the states. Year limits record when a holiday was introduced or abolished, so that
// recomputing an old month's figures gives the calendar that applied then.
const std::array rules{
    fixed(1, 1, "Neujahr", all_states),
    fixed(1, 6, "Heilige Drei Könige", bit("BW") | bit("BY") | bit("ST")),
    fixed(3, 8, "Internationaler Frauentag", bit("BE"), 2019),
    fixed(3, 8, "Internationaler Frauentag", bit("MV"), 2023),
    easter(-2, "Karfreitag", all_states),
    easter(0, "Ostersonntag", bit("BB") | bit("HE")),
    easter(1, "Ostermontag", all_states),
    fixed(5, 1, "Tag der Arbeit", all_states),
    fixed(5, 8, "Tag der Befreiung", bit("BE"), 2020, 2020),
    fixed(5, 8, "Tag der Befreiung", bit("BE"), 2025, 2025),
    // Berlin's one-off day for the 75th anniversary of the uprising of 17 June 1953 (Feiertagsgesetz, 2025).
    fixed(6, 17, "Jahrestag des Volksaufstandes in der DDR", bit("BE"), 2028, 2028),
    easter(39, "Christi Himmelfahrt", all_states),
    easter(49, "Pfingstsonntag", bit("BB") | bit("HE")),
    easter(50, "Pfingstmontag", all_states),
    easter(60, "Fronleichnam", catholic_south | bit("HE")),
    fixed(8, 15, "Mariä Himmelfahrt", bit("SL")),
    fixed(9, 20, "Weltkindertag", bit("TH"), 2019),
    fixed(10, 3, "Tag der Deutschen Einheit", all_states, 1990),
    fixed(10, 31, "Reformationstag", east),
    fixed(10, 31, "Reformationstag", north, 2017),
    fixed(10, 31, "Reformationstag", all_states & ~east & ~north, 2017, 2017), // 500 years, nationwide once
    fixed(11, 1, "Allerheiligen", catholic_south),
    holiday_rule{rule_kind::buss_und_bettag, 0, 0, 0, "Buß- und Bettag", bit("SN")},
    holiday_rule{rule_kind::buss_und_bettag, 0, 0, 0, "Buß- und Bettag", all_states & ~bit("SN"), INT_MIN, 1994},
    fixed(12, 25, "1. Weihnachtstag", all_states),
    fixed(12, 26, "2. Weihnachtstag", all_states),
};

// Floor modulo, so the computus also holds for years before 1 (proleptic).
constexpr int mod(int a, int b) { return ((a % b) + b) % b; }
constexpr int div_floor(int a, int b) { return (a - mod(a, b)) / b; }

local_date to_local_date(date::sys_days d) {
    const date::year_month_day ymd{d};
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

date::sys_days to_sys_days(int y, unsigned m, unsigned d) {
    return date::sys_days{date::year{y} / date::month{m} / date::day{d}};
}

} // namespace

std::span<const std::string_view> known_states() { return state_codes; }

bool is_known_state(std::string_view state) {
    return std::find(state_codes.begin(), state_codes.end(), state) != state_codes.end();
}

local_date easter_sunday(int year) {
    const int a = mod(year, 19);
    const int b = div_floor(year, 100);
    const int c = mod(year, 100);
    const int d = div_floor(b, 4);
    const int e = mod(b, 4);
    const int f = div_floor(b + 8, 25);
    const int g = div_floor(b - f + 1, 3);
    const int h = mod(19 * a + b - d - g + 15, 30);
    const int i = div_floor(c, 4);
    const int k = mod(c, 4);
    const int l = mod(32 + 2 * e + 2 * i - h - k, 7);
    const int m = div_floor(a + 11 * h + 22 * l, 451);
    const int month = div_floor(h + l - 7 * m + 114, 31);
    const int day = mod(h + l - 7 * m + 114, 31) + 1;
    return {year, static_cast<unsigned>(month), static_cast<unsigned>(day)};
}

std::vector<holiday> public_holidays(int year, std::string_view state) {
    const auto it = std::find(state_codes.begin(), state_codes.end(), state);
    if (it == state_codes.end())
        throw std::invalid_argument("unknown German state '" + std::string(state) +
                                    "' (expected one of BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, "
                                    "SH, TH)");
    const state_mask mine = state_mask{1} << (it - state_codes.begin());

    const local_date e = easter_sunday(year);
    const date::sys_days easter_day = to_sys_days(year, e.month, e.day);

    std::vector<holiday> out;
    out.reserve(16);
    for (const holiday_rule& r : rules) {
        if ((r.states & mine) == 0 || year < r.first_year || year > r.last_year) continue;
        switch (r.kind) {
        case rule_kind::fixed: out.push_back({{year, r.month, r.day}, r.name}); break;
        case rule_kind::easter_offset:
            out.push_back({to_local_date(easter_day + date::days{r.offset}), r.name});
            break;
        case rule_kind::buss_und_bettag: {
            // The Wednesday before 23 November, i.e. the last Wednesday on or before the 22nd.
            const date::sys_days nov22 = to_sys_days(year, 11, 22);
            const date::days back = date::weekday{nov22} - date::Wednesday;
            out.push_back({to_local_date(nov22 - back), r.name});
            break;
        }
        }
    }
    std::sort(out.begin(), out.end(), [](const holiday& a, const holiday& b) { return a.date < b.date; });
    return out;
}

} // namespace campusdesk
