#include "storage/equipment_repository.hpp"

#include "storage/database.hpp"
#include "storage/device_repository.hpp"
#include "storage/report_repository.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <map>

using namespace campusdesk;
using namespace campusdesk::testing;
using namespace campusdesk::testing::times;

namespace {

void add_device(SQLite::Database& db, const std::string& school, const std::string& kind, const std::string& serial,
                const std::string& purchase, const std::string& warranty, const std::string& status = "in_use") {
    SQLite::Statement s(db, "INSERT INTO devices (school_number, kind, serial, owner_group, purchase_date, "
                            "warranty_end, status, imported_at, updated_at) VALUES (?,?,?,'pupils',?,?,?,0,0)");
    s.bind(1, school);
    s.bind(2, kind);
    s.bind(3, serial);
    s.bind(4, purchase);
    s.bind(5, warranty);
    s.bind(6, status);
    s.exec();
}

std::int64_t devices_of(const std::vector<device_count>& counts, const std::string& school, device_kind kind,
                        int year, bool expired) {
    std::int64_t n = 0;
    for (const auto& c : counts)
        if (c.school_number == school && c.kind == kind && c.purchase_year == year && c.out_of_warranty == expired)
            n += c.devices;
    return n;
}

} // namespace

TEST_CASE("device counts per school, kind, purchase year and warranty", "[storage][equipment]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    add_device(db, "100011", "ipad", "S1", "2024-08-01", "2027-07-31");
    add_device(db, "100011", "ipad", "S2", "2024-09-15", "2026-10-04");  // ended the day before
    add_device(db, "100011", "ipad", "S3", "2024-09-15", "2026-10-05");  // ends today: still in warranty
    add_device(db, "100011", "printer", "S4", "", "");                   // nothing known
    add_device(db, "100011", "ipad", "S5", "2019-01-01", "2020-01-01", "retired");
    add_device(db, "100012", "digital_board", "S6", "2020-03-01", "2023-03-01", "in_repair");
    const local_date today{2026, 10, 5};

    const auto one = load_device_counts(db, "100011", today);
    CHECK(devices_of(one, "100011", device_kind::ipad, 2024, false) == 2);
    CHECK(devices_of(one, "100011", device_kind::ipad, 2024, true) == 1);
    CHECK(devices_of(one, "100011", device_kind::printer, 0, false) == 1);
    CHECK(devices_of(one, "100011", device_kind::ipad, 2019, true) == 0);  // retired: not counted
    CHECK(std::all_of(one.begin(), one.end(), [](const device_count& c) { return c.school_number == "100011"; }));
    const auto e = summarize_equipment(one, today.year);
    CHECK(e.devices == 4);
    CHECK(e.out_of_warranty == 1);

    const auto all = load_device_counts(db, "", today);
    CHECK(devices_of(all, "100012", device_kind::digital_board, 2020, true) == 1);
    std::int64_t total = 0;
    for (const auto& c : all) total += c.devices;
    CHECK(total == 5);

    const auto per_school = load_devices_per_school(db);
    REQUIRE(per_school.size() == 2);
    CHECK(per_school[0] == std::pair<std::string, std::int64_t>{"100011", 4});
    CHECK(per_school[1] == std::pair<std::string, std::int64_t>{"100012", 1});
}

TEST_CASE("tickets per school, and per school and category, since a time", "[storage][equipment]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    f.file_ticket(db, "100011", 1, monday_8am - 400 * day);  // before the window
    f.file_ticket(db, "100011", 1, monday_8am - 10 * day);
    f.file_ticket(db, "100011", 1, monday_8am);
    f.file_ticket(db, "100021", 2, monday_8am - day);
    db.exec("UPDATE tickets SET category = 'hardware' WHERE school_number = '100021'");
    const auto from = monday_8am - 365 * day;

    std::map<std::string, std::int64_t> total;
    for (const auto& c : load_school_ticket_counts(db, from, false)) {
        CHECK(c.category.empty());
        total[c.school_number] = c.tickets;
    }
    CHECK(total.size() == 6);  // every school of the directory, with or without tickets
    CHECK(total["100011"] == 2);
    CHECK(total["100021"] == 1);
    CHECK(total["100012"] == 0);

    auto per_category = load_school_ticket_counts(db, from, true);
    REQUIRE(per_category.size() == 2);
    for (const auto& c : per_category) {
        if (c.school_number == "100011") {
            CHECK(c.category == "network");
            CHECK(c.tickets == 2);
        } else {
            CHECK(c.category == "hardware");
            CHECK(c.tickets == 1);
        }
    }
    CHECK(load_school_ticket_counts(db, monday_8am + day, true).empty());
}

TEST_CASE("the report's tickets of one school", "[storage][equipment]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    f.file_ticket(db, "100011", 1, monday_8am);
    f.file_ticket(db, "100012", 1, monday_8am + minute);
    f.file_ticket(db, "100011", 1, monday_8am + 2 * minute);
    const auto all = load_report_tickets(db, monday_8am, monday_8am + day);
    CHECK(all.size() == 3);
    const auto one = load_report_tickets(db, monday_8am, monday_8am + day, "100011");
    REQUIRE(one.size() == 2);
    for (const auto& t : one) {
        CHECK(t.school_number == "100011");
        CHECK_FALSE(t.events.empty());
    }
    CHECK(one[0].number < one[1].number);
    CHECK(load_report_tickets(db, monday_8am, monday_8am + day, "100099").empty());
}

TEST_CASE("tickets about devices per kind within a period", "[storage][equipment]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    add_device(db, "100011", "ipad", "S1", "2024-08-01", "");
    add_device(db, "100011", "printer", "S2", "", "");
    const auto ipad = db.execAndGet("SELECT id FROM devices WHERE serial = 'S1'").getInt64();
    const auto printer = db.execAndGet("SELECT id FROM devices WHERE serial = 'S2'").getInt64();
    const std::vector<std::pair<std::int64_t, time_ms>> links{
        {ipad, monday_8am - day}, {ipad, monday_8am}, {ipad, monday_8am + 2 * day}, {printer, monday_8am + day}};
    for (const auto& [device, at] : links) {
        const auto t = f.file_ticket(db, "100011", 1, at);
        link_ticket_device(db, t.id, device, at, 3);
    }
    auto counts = load_device_ticket_counts(db, monday_8am, monday_8am + 2 * day);  // [from, to)
    std::sort(counts.begin(), counts.end());
    REQUIRE(counts.size() == 2);
    CHECK(counts[0] == std::pair{device_kind::ipad, std::int64_t{1}});
    CHECK(counts[1] == std::pair{device_kind::printer, std::int64_t{1}});
    CHECK(load_device_ticket_counts(db, monday_8am + 3 * day, monday_8am + 9 * day).empty());
}
