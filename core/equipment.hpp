// The city's view of the schools' equipment (issue 18, docs/devices.md "Equipment overview"): a school's devices by
// kind, age band and warranty, its ticket load per 100 devices against the city's median, and the similar schools
// (k nearest neighbours on normalised equipment and ticket features). Pure: storage counts, this decides.
#pragma once

#include "core/devices.hpp"
#include "core/sla_report.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

// One group of a school's devices in service as storage counts them: kind, purchase year (0: unknown) and
// whether the warranty has ended (a device without a warranty date has not).
struct device_count {
    std::string school_number;
    device_kind kind = device_kind::other;
    int purchase_year = 0;
    bool out_of_warranty = false;
    std::int64_t devices = 0;
};

// Age bands by purchase year: "≤ 1 Jahr" (this year or last), "2–3 Jahre", "4–5 Jahre", "6 Jahre und älter",
// "unbekannt" (no purchase date).
enum class age_band { up_to_1, from_2_to_3, from_4_to_5, from_6, unknown };
inline constexpr std::array all_age_bands{age_band::up_to_1, age_band::from_2_to_3, age_band::from_4_to_5,
                                          age_band::from_6, age_band::unknown};
// The band of a device bought in `purchase_year` (0: unknown) as of `current_year`; a year in the future counts as
// this year's.
age_band age_band_of(int purchase_year, int current_year);
std::string_view age_band_label(age_band b);

// A school's equipment in figures (the school page).
struct school_equipment {
    std::int64_t devices = 0;
    std::int64_t out_of_warranty = 0;
    std::array<std::int64_t, all_device_kinds.size()> per_kind{};  // by all_device_kinds' order
    std::array<std::int64_t, all_age_bands.size()> per_age{};      // by all_age_bands' order
    std::optional<double> mean_age_years;  // over the devices with a purchase year
};
// Sums `counts` (of one school) as of `current_year`.
school_equipment summarize_equipment(std::span<const device_count> counts, int current_year);

// The median of `values` (the mean of the middle two for an even count); nullopt for none.
std::optional<double> median_of(std::vector<double> values);

// --- the monthly report's device figures ---------------------------------------------------------------------

struct device_rate_row {
    std::string key;    // kind id or school number
    std::string label;  // kind label or school name
    std::int64_t devices = 0;
    std::int64_t tickets = 0;
    std::optional<double> per_100;  // tickets per 100 devices; nullopt without devices
};
struct device_report {
    std::vector<device_rate_row> per_kind;    // kinds with devices or tickets, in all_device_kinds' order
    std::vector<device_rate_row> per_school;  // schools with devices or tickets in the month, by number
};
// Per kind: the month's tickets about a device of the kind (`kind_tickets`) per 100 devices of the kind in service
// (`devices`, as the inventory stands: it keeps no history); per school: the month's tickets of the school (the SLA
// report's per_school counts, never counted a second way) per 100 of its devices in service. `school_names` for
// schools with devices but no tickets.
device_report build_device_report(std::span<const device_count> devices,
                                  std::span<const std::pair<device_kind, std::int64_t>> kind_tickets,
                                  std::span<const sla_summary> per_school,
                                  const std::map<std::string, std::string, std::less<>>& school_names);

// --- similar schools ----------------------------------------------------------------------------------------

// What is compared of a school: its devices in service per kind, their mean age, and its tickets per category
// within the window.
struct school_profile {
    std::string school_number;
    school_equipment equipment;
    std::map<std::string, std::int64_t> tickets_per_category;
};

// The features of one school before normalisation: the share of each kind among its devices (all_device_kinds'
// order), the mean age in years, and tickets per 100 devices for each of `categories`. Empty for a school without
// devices (nothing to compare).
std::vector<double> raw_features(const school_profile& p, std::span<const std::string> categories);
// The features' names in the same order ("Anteil iPad", "Alter (Jahre)", "Tickets/100 Geräte: network").
std::vector<std::string> feature_names(std::span<const std::string> categories);

// Min-max normalisation per column over the rows: each value becomes (v - min) / (max - min), so every feature
// counts the same in the distance whatever its unit; a column with one value throughout becomes 0.
void normalise_min_max(std::vector<std::vector<double>>& rows);

// The distance of two normalised rows of equal length: the root of the mean squared difference, 0 (the same) to 1
// (as different as possible in every feature). 0 for empty rows.
double feature_distance(std::span<const double> a, std::span<const double> b);

struct school_neighbour {
    std::string school_number;
    double distance = 0;
    double similarity = 0;  // 1 - distance, 0..1
};
struct school_similarity {
    std::string school_number;
    bool has_devices = false;
    std::vector<school_neighbour> nearest;  // at most k, nearest first; ties by school number
};
struct similarity_result {
    std::vector<std::string> features;
    std::vector<school_similarity> schools;  // in the order of the profiles given
};
// For each school its `k` (≥ 1) nearest schools by feature_distance over the min-max normalised raw_features of the
// schools with devices. Schools without devices are listed without neighbours and are nobody's neighbour.
similarity_result nearest_schools(std::span<const school_profile> profiles, std::span<const std::string> categories,
                                  int k);

} // namespace campusdesk
