#include "server/cli/demo_inventory.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace campusdesk {
namespace {

struct kind_plan {
    device_kind kind;
    const char* code;  // in inventory numbers
    double share;      // of the non-iPad devices
    std::array<const char*, 3> models;
    int warranty_years;
};

constexpr std::array other_kinds{
    kind_plan{device_kind::digital_board, "DT", 0.24, {"Promethean ActivPanel 9", "SMART Board MX", "Samsung Flip 3"}, 5},
    kind_plan{device_kind::projector, "BE", 0.10, {"Epson EB-695Wi", "BenQ MW560", "Epson EB-L210W"}, 3},
    kind_plan{device_kind::printer, "DR", 0.08, {"HP LaserJet Pro M404", "Kyocera ECOSYS M2540", "Brother MFC-L8690"}, 3},
    kind_plan{device_kind::access_point, "AP", 0.22, {"Aruba AP-515", "Ubiquiti U6 Pro", "LANCOM LW-600"}, 5},
    kind_plan{device_kind::network_switch, "SW", 0.06, {"Aruba 2930F", "LANCOM GS-3252P", "HPE 1950"}, 5},
    kind_plan{device_kind::notebook, "NB", 0.18, {"MacBook Air M2", "Lenovo ThinkPad E14", "Dell Latitude 3540"}, 3},
    kind_plan{device_kind::pc, "PC", 0.12, {"Dell OptiPlex 7010", "Fujitsu Esprimo D7012", "Lenovo ThinkCentre M70q"}, 3},
};
constexpr std::array ipad_models{"iPad (9th generation)", "iPad (10th generation)", "iPad Air (5th generation)"};
constexpr std::array room_names{"A 0.12", "A 1.04", "B 1.12", "B 2.03", "Lehrerzimmer", "Sekretariat", "Aula",
                                "Informatikraum", "NW 1", "Bibliothek", "iPad-Koffer 1", "iPad-Koffer 2"};

double school_weight(const std::string& kind) {
    return kind == "Grundschule" ? 1.0 : kind == "Förderschule" ? 0.8 : 2.2;
}

// A serial number like Apple's (12 letters and digits) made from a counter, so that every one is different: the
// counter times a number prime to 34 is a permutation of the 34^11 numbers of 11 digits, so serials look scattered.
std::string serial_of(char prefix, std::uint64_t counter) {
    static constexpr char digits[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    constexpr std::uint64_t range = 34ULL * 34 * 34 * 34 * 34 * 34 * 34 * 34 * 34 * 34 * 34;
    counter = (counter * 2654435761ULL + 987654321ULL) % range;  // no overflow below 6 billion devices
    std::string s(12, '0');
    s[0] = prefix;
    for (int i = 11; i > 0; --i) {
        s[static_cast<std::size_t>(i)] = digits[counter % 34];
        counter /= 34;
    }
    return s;
}

local_date add_years(local_date d, int years) {
    d.year += years;
    if (d.month == 2 && d.day == 29) d.day = 28;
    return d;
}

} // namespace

std::vector<device> generate_inventory(const std::vector<inventory_school>& schools, int ipads, int others,
                                       local_date today, std::mt19937& rng) {
    double total_weight = 0;
    for (const auto& s : schools) total_weight += school_weight(s.kind);
    std::vector<device> out;
    out.reserve(static_cast<std::size_t>(ipads + others + 16 * static_cast<int>(schools.size())));
    std::uint64_t counter = 0;
    auto purchase = [&](int newest_years_ago, int oldest_years_ago) {
        local_date d{today.year - std::uniform_int_distribution<int>(newest_years_ago, oldest_years_ago)(rng),
                     static_cast<unsigned>(std::uniform_int_distribution<int>(1, 12)(rng)),
                     static_cast<unsigned>(std::uniform_int_distribution<int>(1, 28)(rng))};
        if (d > today) d = today;
        return d;
    };
    for (const auto& s : schools) {
        const double share = school_weight(s.kind) / total_weight;
        const int school_ipads = std::max(4, static_cast<int>(std::lround(ipads * share)));
        const int school_others = std::max(6, static_cast<int>(std::lround(others * share)));
        int numbers = 0;
        auto add = [&](device_kind kind, const char* code, const char* model, int warranty_years, owner_group owner,
                       char prefix, int newest, int oldest) {
            device d;
            d.school_number = s.number;
            d.kind = kind;
            d.model = model;
            d.serial = serial_of(prefix, ++counter);
            d.inventory_number = fmt::format("{}-{}-{:04}", s.number, code, ++numbers);
            d.room = room_names[std::uniform_int_distribution<std::size_t>(0, room_names.size() - 1)(rng)];
            d.owner = owner;
            d.purchase_date = purchase(newest, oldest);
            d.warranty_end = add_years(*d.purchase_date, warranty_years);
            d.state = std::uniform_int_distribution<int>(0, 99)(rng) < 2 ? device_status::in_repair : device_status::in_use;
            out.push_back(std::move(d));
        };
        for (int i = 0; i < school_ipads; ++i) {
            // About one in twelve iPads is a teacher's (Dortmund: 6,703 of 83,437).
            const bool teacher = std::uniform_int_distribution<int>(0, 11)(rng) == 0;
            add(device_kind::ipad, "IP", ipad_models[std::uniform_int_distribution<std::size_t>(0, 2)(rng)], 3,
                teacher ? owner_group::teachers : owner_group::pupils, 'F', 0, 4);
        }
        for (int i = 0; i < school_others; ++i) {
            double r = std::uniform_real_distribution<double>(0, 1)(rng);
            const kind_plan* plan = &other_kinds.back();
            for (const auto& k : other_kinds) {
                if (r < k.share) {
                    plan = &k;
                    break;
                }
                r -= k.share;
            }
            const auto owner = plan->kind == device_kind::notebook ? owner_group::teachers
                               : plan->kind == device_kind::printer && i % 2 ? owner_group::admin
                                                                             : owner_group::pupils;
            add(plan->kind, plan->code, plan->models[std::uniform_int_distribution<std::size_t>(0, 2)(rng)],
                plan->warranty_years, owner, 'C', 0, 7);
        }
    }
    return out;
}

} // namespace campusdesk
