// Local wall-clock time: ISO 8601 and German formatting and parsing, local dates and zone offsets.
#pragma once

#include "core/business_calendar_config.hpp"
#include "core/language.hpp"
#include "core/ticket.hpp"

#include <date/tz.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

// The UTC offset in force in `zone` at `t`. date/tz with USE_OS_TZDB knows only the explicit transitions of
// the system's TZif files (with "fat" files: until 2037); for later instants the rule in the file's POSIX
// TZ footer applies (RFC 8536 §3.3), evaluated with date's Posix::time_zone, so decades ahead stay right.
date::sys_info zone_info(const date::time_zone* zone, date::sys_seconds t);

// The local calendar date of `t` in `zone`.
local_date local_date_of(time_ms t, const date::time_zone* zone);

// The first instant of local `day` (local midnight). Where midnight itself does not exist (a DST switch at
// 00:00), it is the instant the day begins, i.e. the transition; an ambiguous midnight gives the earlier one.
// Throws std::invalid_argument for an invalid date.
time_ms local_day_start(local_date day, const date::time_zone* zone);

// A plain calendar date "2026-12-04" (exactly that form, a valid day), or nothing.
std::optional<local_date> parse_iso_date(std::string_view text);
// A local date and time "2026-12-04T09:30" (what <input type="datetime-local"> sends), as the earliest instant with
// that wall-clock time (in a DST gap: the transition), or nothing for any other text.
std::optional<time_ms> parse_local_datetime(std::string_view text, const date::time_zone* zone);

// The instant a whole local `day` ends: the start of the next day. A period "until 04.12." given as a day
// means the whole of that day.
time_ms local_day_end(local_date day, const date::time_zone* zone);

// A period [from, to) for people: when both ends are local midnights, whole days with the last day inclusive
// ("04.12.2026" for one day, "01.12.2026 bis einschließlich 04.12.2026"); otherwise date and time
// ("01.12.2026, 08:00 bis 04.12.2026, 12:00").
std::string format_german_period(time_ms from, time_ms to, const date::time_zone* zone);
// The same in the page's language; English "1 Dec 2026", "1 Dec 2026 to 4 Dec 2026 inclusive",
// "1 Dec 2026, 08:00 to 4 Dec 2026, 12:00".
std::string format_period(time_ms from, time_ms to, const date::time_zone* zone, language lang);

// Local midnight of the 1st of `month` in `year` (the start of a monthly export). Month 1..12.
time_ms local_month_start(int year, unsigned month, const date::time_zone* zone);

// "2026-10-05T08:14:00+02:00": local time with its UTC offset, whole seconds (milliseconds are dropped).
std::string format_iso8601(time_ms t, const date::time_zone* zone);
// The same text appended to `out` (lists write several per row).
void append_iso8601(std::string& out, time_ms t, const date::time_zone* zone);

// Strict ISO 8601 / RFC 3339 subset: YYYY-MM-DDTHH:MM[:SS[.f…]](Z|±HH:MM). One to nine fraction digits,
// truncated to milliseconds. Anything else (missing offset, a space for 'T', second 60, 24:00, a day that
// does not exist, trailing text) is rejected with nullopt.
std::optional<time_ms> parse_iso8601(std::string_view text);

// "05.10.2026, 08:14": German local date and time to the minute (seconds dropped).
std::string format_german_datetime(time_ms t, const date::time_zone* zone);

// A business duration for people, truncated to its two largest units: "45 Min.", "2 Std. 10 Min.",
// "2 Std.", "3 Tg. 2 Std.". A day ("Tg.") is a business day of `business_day_minutes` (default 540, the
// 9-hour day of SLA.md §2: 540 min = 1 business day), not 24 hours, so "3 Tg." matches the targets people
// know; 0 or less disables days. Below one minute: "0 Min."; negative durations get a leading '-'.
std::string format_german_duration(std::int64_t ms, int business_day_minutes = 540);
// The same in the page's language; English "45 min", "2 h 10 min", "3 d 2 h".
std::string format_duration(std::int64_t ms, int business_day_minutes, language lang);

// A deadline in words, for people who do not read timestamps: "Mittwoch, 2. Dezember, 10:30 Uhr"; the year is
// added ("Montag, 4. Januar 2027, 08:00 Uhr") when it is not the year of `now` in the zone.
std::string format_german_long_datetime(time_ms t, const date::time_zone* zone, time_ms now);

// A business-time remainder written out, so that nobody reads it as wall-clock time: "25 Minuten",
// "1 Geschäftsstunde", "4 Geschäftsstunden 10 Minuten", "2 Geschäftstage 3 Geschäftsstunden" (a business day
// of `business_day_minutes`, as format_german_duration). Truncated to the two largest units; 0 or less:
// "0 Minuten".
// In English: "25 minutes", "1 business hour", "2 business days 3 business hours".
std::string format_business_remainder(std::int64_t ms, int business_day_minutes = 540, language lang = language::de);

// Date and time to the minute in the page's language: German "30.11.2026, 14:05" (format_german_datetime),
// English "30 Nov 2026, 14:05" (day, month's name, year: read the same in Britain and America, unlike 11/30).
std::string format_datetime(time_ms t, const date::time_zone* zone, language lang);
// A deadline in words: German as format_german_long_datetime, English "Wednesday, 2 December, 10:30" (the year
// added when it is not the year of `now`).
std::string format_long_datetime(time_ms t, const date::time_zone* zone, time_ms now, language lang);

} // namespace campusdesk
