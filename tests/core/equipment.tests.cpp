#include "core/equipment.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace campusdesk;

namespace {

school_profile profile(std::string number, std::int64_t ipads, std::int64_t boards, int purchase_year,
                       std::map<std::string, std::int64_t> tickets = {}) {
    std::vector<device_count> counts;
    if (ipads) counts.push_back({number, device_kind::ipad, purchase_year, false, ipads});
    if (boards) counts.push_back({number, device_kind::digital_board, purchase_year, false, boards});
    return {number, summarize_equipment(counts, 2026), std::move(tickets)};
}

} // namespace

TEST_CASE("age bands by purchase year") {
    const std::vector<std::tuple<int, age_band>> cases{
        {2026, age_band::up_to_1},     {2025, age_band::up_to_1},    {2027, age_band::up_to_1},
        {2024, age_band::from_2_to_3}, {2023, age_band::from_2_to_3}, {2022, age_band::from_4_to_5},
        {2021, age_band::from_4_to_5}, {2020, age_band::from_6},      {1999, age_band::from_6},
        {0, age_band::unknown}};
    for (const auto& [year, band] : cases) {
        INFO(year);
        CHECK(age_band_of(year, 2026) == band);
    }
}

TEST_CASE("a school's equipment: kinds, age bands, warranty and mean age") {
    const std::vector<device_count> counts{
        {"100001", device_kind::ipad, 2024, false, 30},
        {"100001", device_kind::ipad, 2020, true, 10},
        {"100001", device_kind::printer, 0, false, 2},
        {"100001", device_kind::printer, 2026, true, 1},
    };
    const auto e = summarize_equipment(counts, 2026);
    CHECK(e.devices == 43);
    CHECK(e.out_of_warranty == 11);
    CHECK(e.per_kind[0] == 40);  // iPad
    CHECK(e.per_kind[4] == 3);   // printer
    CHECK(e.per_age == std::array<std::int64_t, 5>{1, 30, 0, 10, 2});
    REQUIRE(e.mean_age_years);
    CHECK(*e.mean_age_years == Approx((30 * 2 + 10 * 6 + 0) / 41.0));
    CHECK_FALSE(summarize_equipment({}, 2026).mean_age_years);
}

TEST_CASE("median") {
    using values = std::vector<double>;
    const std::vector<std::pair<values, std::optional<double>>> cases{
        {values{}, std::nullopt}, {values{5}, 5.0},       {values{3, 1}, 2.0},
        {values{9, 1, 5}, 5.0},   {values{4, 1, 3, 2}, 2.5}, {values{0, 0, 7}, 0.0}};
    for (const auto& [v, expected] : cases) CHECK(median_of(v) == expected);
}

TEST_CASE("min-max normalisation per column") {
    SECTION("each column to 0..1") {
        std::vector<std::vector<double>> rows{{0, 10, 5}, {5, 20, 5}, {10, 15, 5}};
        normalise_min_max(rows);
        CHECK(rows[0] == std::vector<double>{0, 0, 0});
        CHECK(rows[1] == std::vector<double>{0.5, 1, 0});
        CHECK(rows[2] == std::vector<double>{1, 0.5, 0});  // a constant column becomes 0
    }
    SECTION("one row, no rows") {
        std::vector<std::vector<double>> one{{3, 4}};
        normalise_min_max(one);
        CHECK(one[0] == std::vector<double>{0, 0});
        std::vector<std::vector<double>> none;
        normalise_min_max(none);
        CHECK(none.empty());
    }
}

TEST_CASE("distance: root mean square difference, 0 to 1") {
    using row = std::vector<double>;
    const std::vector<std::tuple<row, row, double>> cases{
        {row{0, 0}, row{0, 0}, 0.0},
        {row{0, 0}, row{1, 1}, 1.0},
        {row{1, 0}, row{0, 1}, 1.0},
        {row{0, 0, 0, 0}, row{1, 0, 0, 0}, 0.5},
        {row{0.5, 0.5}, row{0, 0.5}, std::sqrt(0.125)},
        {row{}, row{}, 0.0},
    };
    for (const auto& [a, b, d] : cases) {
        CHECK(feature_distance(a, b) == Approx(d));
        CHECK(feature_distance(b, a) == Approx(d));
    }
}

TEST_CASE("raw features: shares per kind, mean age, tickets per 100 devices per category") {
    const std::vector<std::string> categories{"hardware", "network"};
    const auto p = profile("100001", 75, 25, 2022, {{"network", 5}, {"other", 99}});
    const auto f = raw_features(p, categories);
    REQUIRE(f.size() == all_device_kinds.size() + 1 + 2);
    CHECK(f[0] == Approx(0.75));  // iPad
    CHECK(f[2] == Approx(0.25));  // digital board
    CHECK(f[all_device_kinds.size()] == Approx(4.0));      // 2026 - 2022
    CHECK(f[all_device_kinds.size() + 1] == Approx(0.0));  // no hardware tickets
    CHECK(f[all_device_kinds.size() + 2] == Approx(5.0));  // 5 per 100 devices
    CHECK(raw_features(profile("100002", 0, 0, 2022, {{"network", 3}}), categories).empty());
    CHECK(feature_names(categories).size() == f.size());
}

TEST_CASE("nearest schools") {
    const std::vector<std::string> categories{"network"};
    SECTION("the nearest first, k of them, never itself") {
        const std::vector<school_profile> schools{
            profile("100001", 100, 0, 2024, {{"network", 10}}),
            profile("100002", 98, 2, 2024, {{"network", 11}}),
            profile("100003", 10, 90, 2018, {{"network", 40}}),
            profile("100004", 90, 10, 2023, {{"network", 12}}),
        };
        const auto r = nearest_schools(schools, categories, 2);
        REQUIRE(r.schools.size() == 4);
        const auto& first = r.schools[0];
        CHECK(first.school_number == "100001");
        CHECK(first.has_devices);
        REQUIRE(first.nearest.size() == 2);
        CHECK(first.nearest[0].school_number == "100002");
        CHECK(first.nearest[1].school_number == "100004");
        CHECK(first.nearest[0].distance <= first.nearest[1].distance);
        CHECK(first.nearest[0].similarity == Approx(1 - first.nearest[0].distance));
        // The odd one out is still someone's neighbour: its nearest are the others.
        CHECK(r.schools[2].nearest.size() == 2);
        for (const auto& s : r.schools)
            for (const auto& n : s.nearest) {
                CHECK(n.school_number != s.school_number);
                CHECK(n.distance >= 0);
                CHECK(n.distance <= 1);
            }
    }
    SECTION("ties are broken by school number") {
        const std::vector<school_profile> schools{
            profile("100009", 50, 50, 2024), profile("100001", 50, 50, 2024), profile("100005", 50, 50, 2024)};
        const auto r = nearest_schools(schools, categories, 5);
        REQUIRE(r.schools[0].nearest.size() == 2);  // k larger than the others: all of them
        CHECK(r.schools[0].nearest[0].school_number == "100001");
        CHECK(r.schools[0].nearest[1].school_number == "100005");
        CHECK(r.schools[0].nearest[0].distance == 0);
        CHECK(r.schools[0].nearest[0].similarity == 1);
    }
    SECTION("schools without devices have no neighbours and are nobody's") {
        const std::vector<school_profile> schools{profile("100001", 10, 0, 2024), profile("100002", 0, 0, 0),
                                                  profile("100003", 5, 5, 2020)};
        const auto r = nearest_schools(schools, categories, 3);
        CHECK_FALSE(r.schools[1].has_devices);
        CHECK(r.schools[1].nearest.empty());
        REQUIRE(r.schools[0].nearest.size() == 1);
        CHECK(r.schools[0].nearest[0].school_number == "100003");
        // iPad share, board share and age differ fully (0 and 1 after normalisation), 8 of the 11 features not.
        CHECK(r.schools[0].nearest[0].distance == Approx(std::sqrt(3.0 / 11.0)));
    }
    SECTION("one school or none") {
        CHECK(nearest_schools(std::vector<school_profile>{profile("100001", 3, 0, 2024)}, categories, 5)
                  .schools[0].nearest.empty());
        CHECK(nearest_schools({}, categories, 5).schools.empty());
    }
    SECTION("k below 1 is taken as 1") {
        const std::vector<school_profile> schools{profile("100001", 10, 0, 2024), profile("100002", 0, 10, 2024),
                                                  profile("100003", 5, 5, 2024)};
        CHECK(nearest_schools(schools, categories, 0).schools[0].nearest.size() == 1);
    }
}

TEST_CASE("the report's device figures: per kind from linked tickets, per school from the report's counts") {
    const std::vector<device_count> devices{
        {"100001", device_kind::ipad, 2024, false, 200},
        {"100001", device_kind::printer, 2020, true, 4},
        {"100002", device_kind::ipad, 2025, false, 50},
        {"100003", device_kind::digital_board, 0, false, 10},
    };
    const std::vector<std::pair<device_kind, std::int64_t>> kind_tickets{{device_kind::ipad, 5},
                                                                         {device_kind::printer, 2},
                                                                         {device_kind::pc, 1}};  // a PC since retired
    sla_summary a, b;
    a.key = "100001";
    a.label = "Gymnasium am See";
    a.tickets = 25;
    b.key = "100004";  // tickets but no devices
    b.label = "Grundschule Nord";
    b.tickets = 3;
    const std::vector<sla_summary> per_school{a, b};
    const std::map<std::string, std::string, std::less<>> names{{"100002", "Realschule"}};
    const auto r = build_device_report(devices, kind_tickets, per_school, names);

    REQUIRE(r.per_kind.size() == 4);
    CHECK(r.per_kind[0].key == "ipad");
    CHECK(r.per_kind[0].devices == 250);
    CHECK(r.per_kind[0].tickets == 5);
    CHECK(*r.per_kind[0].per_100 == Approx(2.0));
    CHECK(r.per_kind[1].key == "digital_board");
    CHECK(r.per_kind[1].tickets == 0);
    CHECK(*r.per_kind[1].per_100 == 0);
    CHECK(r.per_kind[2].key == "printer");
    CHECK(*r.per_kind[2].per_100 == Approx(50.0));
    CHECK(r.per_kind[3].key == "pc");
    CHECK_FALSE(r.per_kind[3].per_100);  // no devices: no rate

    REQUIRE(r.per_school.size() == 4);
    CHECK(r.per_school[0].key == "100001");
    CHECK(r.per_school[0].label == "Gymnasium am See");
    CHECK(r.per_school[0].devices == 204);
    CHECK(*r.per_school[0].per_100 == Approx(2500.0 / 204));
    CHECK(r.per_school[1].label == "Realschule");
    CHECK(r.per_school[1].tickets == 0);
    CHECK(r.per_school[3].key == "100004");
    CHECK_FALSE(r.per_school[3].per_100);
}
