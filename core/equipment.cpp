#include "core/equipment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace campusdesk {

age_band age_band_of(int purchase_year, int current_year) {
    if (purchase_year <= 0) return age_band::unknown;
    const int age = std::max(0, current_year - purchase_year);
    if (age <= 1) return age_band::up_to_1;
    if (age <= 3) return age_band::from_2_to_3;
    if (age <= 5) return age_band::from_4_to_5;
    return age_band::from_6;
}

std::string_view age_band_label(age_band b) {
    switch (b) {
    case age_band::up_to_1: return "bis 1 Jahr";
    case age_band::from_2_to_3: return "2–3 Jahre";
    case age_band::from_4_to_5: return "4–5 Jahre";
    case age_band::from_6: return "6 Jahre und älter";
    case age_band::unknown: return "Kaufdatum unbekannt";
    }
    return "";
}

namespace {

template <class Array, class Value>
std::size_t index_in(const Array& all, Value v) {
    return static_cast<std::size_t>(std::find(all.begin(), all.end(), v) - all.begin());
}

} // namespace

school_equipment summarize_equipment(std::span<const device_count> counts, int current_year) {
    school_equipment e;
    double age_sum = 0;
    std::int64_t dated = 0;
    for (const auto& c : counts) {
        e.devices += c.devices;
        if (c.out_of_warranty) e.out_of_warranty += c.devices;
        e.per_kind[index_in(all_device_kinds, c.kind)] += c.devices;
        e.per_age[index_in(all_age_bands, age_band_of(c.purchase_year, current_year))] += c.devices;
        if (c.purchase_year > 0) {
            age_sum += static_cast<double>(std::max(0, current_year - c.purchase_year)) * static_cast<double>(c.devices);
            dated += c.devices;
        }
    }
    if (dated > 0) e.mean_age_years = age_sum / static_cast<double>(dated);
    return e;
}

device_report build_device_report(std::span<const device_count> devices,
                                  std::span<const std::pair<device_kind, std::int64_t>> kind_tickets,
                                  std::span<const sla_summary> per_school,
                                  const std::map<std::string, std::string, std::less<>>& school_names) {
    std::array<device_rate_row, all_device_kinds.size()> kinds{};
    std::map<std::string, device_rate_row, std::less<>> schools;
    for (const auto& c : devices) {
        kinds[index_in(all_device_kinds, c.kind)].devices += c.devices;
        schools[c.school_number].devices += c.devices;
    }
    for (const auto& [kind, tickets] : kind_tickets) kinds[index_in(all_device_kinds, kind)].tickets += tickets;
    for (const auto& s : per_school) {
        auto& row = schools[s.key];
        row.tickets += s.tickets;
        row.label = s.label;
    }
    device_report out;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        auto& row = kinds[i];
        if (row.devices == 0 && row.tickets == 0) continue;
        row.key = std::string(to_string(all_device_kinds[i]));
        row.label = std::string(device_kind_label(all_device_kinds[i]));
        row.per_100 = tickets_per_100(row.tickets, row.devices);
        out.per_kind.push_back(std::move(row));
    }
    for (auto& [number, row] : schools) {
        row.key = number;
        if (row.label.empty())
            if (auto it = school_names.find(number); it != school_names.end()) row.label = it->second;
        row.per_100 = tickets_per_100(row.tickets, row.devices);
        out.per_school.push_back(std::move(row));
    }
    return out;
}

std::optional<double> median_of(std::vector<double> values) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::vector<double> raw_features(const school_profile& p, std::span<const std::string> categories) {
    const auto& e = p.equipment;
    if (e.devices <= 0) return {};
    std::vector<double> f;
    f.reserve(all_device_kinds.size() + 1 + categories.size());
    const auto total = static_cast<double>(e.devices);
    for (auto n : e.per_kind) f.push_back(static_cast<double>(n) / total);
    // A school with no dated device gets age 0 rather than no row: its kinds and tickets still compare.
    f.push_back(e.mean_age_years.value_or(0.0));
    for (const auto& c : categories) {
        const auto it = p.tickets_per_category.find(c);
        f.push_back(tickets_per_100(it == p.tickets_per_category.end() ? 0 : it->second, e.devices).value_or(0.0));
    }
    return f;
}

std::vector<std::string> feature_names(std::span<const std::string> categories) {
    std::vector<std::string> names;
    for (auto k : all_device_kinds) names.push_back("Anteil " + std::string(device_kind_label(k)));
    names.emplace_back("Mittleres Gerätealter (Jahre)");
    for (const auto& c : categories) names.push_back("Tickets je 100 Geräte: " + c);
    return names;
}

void normalise_min_max(std::vector<std::vector<double>>& rows) {
    if (rows.empty()) return;
    const auto columns = rows.front().size();
    for (std::size_t c = 0; c < columns; ++c) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto& r : rows) {
            lo = std::min(lo, r[c]);
            hi = std::max(hi, r[c]);
        }
        const double span = hi - lo;
        for (auto& r : rows) r[c] = span > 0 ? (r[c] - lo) / span : 0.0;
    }
}

double feature_distance(std::span<const double> a, std::span<const double> b) {
    if (a.empty() || a.size() != b.size()) return 0;
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(sum / static_cast<double>(a.size()));
}

similarity_result nearest_schools(std::span<const school_profile> profiles, std::span<const std::string> categories,
                                  int k) {
    similarity_result out;
    out.features = feature_names(categories);
    std::vector<std::size_t> compared;  // indexes of the schools with devices
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        out.schools.push_back({profiles[i].school_number, profiles[i].equipment.devices > 0, {}});
        if (profiles[i].equipment.devices > 0) {
            compared.push_back(i);
            rows.push_back(raw_features(profiles[i], categories));
        }
    }
    normalise_min_max(rows);
    const auto wanted = static_cast<std::size_t>(std::max(1, k));
    for (std::size_t a = 0; a < compared.size(); ++a) {
        std::vector<school_neighbour> all;
        for (std::size_t b = 0; b < compared.size(); ++b) {
            if (a == b) continue;
            const double d = feature_distance(rows[a], rows[b]);
            all.push_back({profiles[compared[b]].school_number, d, 1.0 - d});
        }
        const auto n = std::min(wanted, all.size());
        std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                          [](const school_neighbour& x, const school_neighbour& y) {
                              return x.distance != y.distance ? x.distance < y.distance
                                                              : x.school_number < y.school_number;
                          });
        all.resize(n);
        out.schools[compared[a]].nearest = std::move(all);
    }
    return out;
}

} // namespace campusdesk
