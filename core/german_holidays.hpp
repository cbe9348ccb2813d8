// Public holidays of the German states for any year, the non-business days of SLA.md §1.
#pragma once

#include "core/business_calendar_config.hpp"

#include <span>
#include <string_view>
#include <vector>

namespace campusdesk {

struct holiday {
    local_date date;
    std::string_view name; // German name; points to static storage, valid for the life of the program
    friend bool operator==(const holiday&, const holiday&) = default;
};

// The 16 state codes (ISO 3166-2:DE without the "DE-" prefix): BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP,
// SL, SN, ST, SH, TH. Codes are upper case and matched exactly.
std::span<const std::string_view> known_states();
bool is_known_state(std::string_view state);

// Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher), proleptic for early years.
local_date easter_sunday(int year);

// The state-wide public holidays of `state` in `year`, sorted by date. Holidays that apply only in some
// municipalities (Mariä Himmelfahrt in Catholic Bavaria, Augsburger Friedensfest, Fronleichnam in parts of
// Saxony and Thuringia) are not included; a school there lists them as closure days. Throws
// std::invalid_argument for an unknown state.
std::vector<holiday> public_holidays(int year, std::string_view state);

} // namespace campusdesk
