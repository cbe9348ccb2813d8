#include "storage/device_repository.hpp"

#include "storage/database.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

using namespace campusdesk;
using namespace campusdesk::testing;
using namespace campusdesk::testing::times;

namespace {

const std::string header = "school_number,kind,model,serial_number,inventory_number,room,owner_group,purchase_date,"
                           "warranty_end,status\n";

bool known(std::string_view n) { return n == "100011" || n == "100012" || n == "100021"; }

// The file through the real reader and, when it is valid, one import in one transaction on the file's database.
std::optional<device_import_outcome> import_text(SQLite::Database& db, const std::string& rows, time_ms now,
                                                 bool dry_run = false) {
    const devices_config config;
    auto parsed = read_device_csv(header + rows, *config.find_format("campusdesk"), known);
    if (!parsed.errors.empty()) return std::nullopt;
    SQLite::Transaction tx(db);
    auto out = import_devices(db, std::move(parsed.rows), now, dry_run, 1, "campusdesk");
    tx.commit();
    return out;
}

std::int64_t count(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

} // namespace

TEST_CASE("an import writes all rows or, with an error anywhere, nothing", "[storage][devices]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    const std::string good = "100011,ipad,iPad,S1,INV-1,B 2.03,pupils,2024-08-01,2027-07-31,in_use\n"
                             "100011,printer,HP,S2,INV-2,Lehrerzimmer,admin,,,\n"
                             "100012,digital_board,SMART,S3,INV-1,A 1.04,teachers,,,\n";
    // One bad line at the end: the reader refuses the file, nothing reaches the database.
    CHECK_FALSE(import_text(db, good + "100011,ipad,iPad,,INV-9,,,,,\n", monday_8am));
    CHECK(count(db, "SELECT count(*) FROM devices") == 0);
    const auto first = import_text(db, good, monday_8am);
    REQUIRE(first);
    CHECK(first->counts.added == 3);
    CHECK(count(db, "SELECT count(*) FROM devices") == 3);
    CHECK(count(db, "SELECT count(*) FROM audit_log WHERE action = 'devices_imported'") == 1);
    // A dry run plans but writes nothing.
    const auto dry = import_text(db, "100011,ipad,iPad,S9,INV-9,,,,,\n", monday_8am, true);
    REQUIRE(dry);
    CHECK(dry->counts.added == 1);
    CHECK(dry->counts.retired == 2);
    CHECK(count(db, "SELECT count(*) FROM devices") == 3);
    CHECK(count(db, "SELECT count(*) FROM devices WHERE status = 'retired'") == 0);
}

TEST_CASE("a re-import updates by serial and retires what the file no longer lists, keeping it and its tickets",
          "[storage][devices]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    REQUIRE(import_text(db,
                        "100011,ipad,iPad,S1,INV-1,B 2.03,pupils,,,\n"
                        "100011,ipad,iPad,S2,INV-2,B 2.03,pupils,,,\n"
                        "100021,ipad,iPad,S4,INV-4,,pupils,,,\n",
                        monday_8am));
    const auto s2 = *find_device_by_label(db, "100011", "INV-2");
    const auto t = f.file_ticket(db, "100011", 1, monday_8am);
    link_ticket_device(db, t.id, s2.id, monday_8am, 3);

    const auto again = import_text(db,
                                   "100011,ipad,iPad,S1,INV-1,B 2.03,pupils,,,\n"      // unchanged
                                   "100011,ipad,iPad Air,S3,INV-3,A 0.12,teachers,,,\n",  // new; S2 is gone
                                   monday_8am + day);
    REQUIRE(again);
    CHECK(again->counts.added == 1);
    CHECK(again->counts.unchanged == 1);
    CHECK(again->counts.retired == 1);
    REQUIRE(again->retired.size() == 1);
    CHECK(again->retired[0].serial == "S2");
    // Retired, not deleted: the device and its ticket stay; S4 of a school not in the file is untouched.
    CHECK(find_device(db, s2.id)->state == device_status::retired);
    CHECK(device_of_ticket(db, t.id) == s2.id);
    CHECK(find_device_by_label(db, "100021", "INV-4")->state == device_status::in_use);
    // A retired device is not found by its label for new tickets.
    CHECK_FALSE(find_device_by_label(db, "100011", "INV-2"));

    // Updated by serial: the room and inventory number change, the id stays.
    const auto s1 = *find_device_by_label(db, "100011", "INV-1");
    const auto third = import_text(db,
                                   "100011,ipad,iPad,S1,INV-1a,C 3.01,pupils,,,\n"
                                   "100011,ipad,iPad Air,S3,INV-3,A 0.12,teachers,,,\n",
                                   monday_8am + 2 * day);
    REQUIRE(third);
    CHECK(third->counts.updated == 1);
    CHECK(third->counts.retired == 0);  // S2 was retired already
    const auto moved = find_device(db, s1.id);
    CHECK(moved->inventory_number == "INV-1a");
    CHECK(moved->room == "C 3.01");
}

TEST_CASE("lookup by inventory or serial number within a school, indexed", "[storage][devices]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    REQUIRE(import_text(db,
                        "100011,ipad,iPad,DMPX01,DO-IP-1,,pupils,,,\n"
                        "100012,ipad,iPad,DMPX02,DO-IP-1,,pupils,,,\n",
                        monday_8am));
    CHECK(find_device_by_label(db, "100011", " DO-IP-1 ")->serial == "DMPX01");
    CHECK(find_device_by_label(db, "100012", "DO-IP-1")->serial == "DMPX02");
    CHECK(find_device_by_label(db, "100011", "dmpx01")->inventory_number == "DO-IP-1");  // a serial, any case
    CHECK_FALSE(find_device_by_label(db, "100011", "DMPX02"));  // another school's
    CHECK_FALSE(find_device_by_label(db, "100011", ""));
    // The plan uses the inventory number's index, not a scan of the devices.
    SQLite::Statement plan(db, "EXPLAIN QUERY PLAN SELECT id FROM devices d WHERE d.inventory_number = ?1 "
                               "AND d.inventory_number <> '' AND d.school_number = ?2 AND d.status <> 'retired'");
    std::string text;
    while (plan.executeStep()) text += plan.getColumn(3).getString() + "\n";
    CHECK(text.find("devices_by_inventory") != std::string::npos);
    CHECK(devices_of_school(db, "100011").size() == 1);
}

TEST_CASE("problem devices follow the rule as tickets are linked and time passes", "[storage][devices]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    REQUIRE(import_text(db,
                        "100011,digital_board,SMART,B1,T-1,A 1.04,teachers,,,\n"
                        "100011,ipad,iPad,I1,IP-1,,pupils,,,\n"
                        "100021,printer,HP,P1,DR-1,,admin,,,\n",
                        monday_8am));
    const auto board = *find_device_by_label(db, "100011", "T-1");
    const auto ipad = *find_device_by_label(db, "100011", "IP-1");
    const auto printer = *find_device_by_label(db, "100021", "DR-1");
    auto link = [&](const device& d, time_ms at) {
        const auto t = f.file_ticket(db, d.school_number, 1, at);
        link_ticket_device(db, t.id, d.id, at, 3);
    };
    const time_ms now = monday_8am + 100 * day;
    link(board, now - 80 * day);
    link(board, now - 50 * day);
    link(ipad, now - 10 * day);
    link(ipad, now - 5 * day);
    link(printer, now - 200 * day);
    link(printer, now - 150 * day);
    link(printer, now - 100 * day);  // three, but long ago
    CHECK(problem_devices(db, {}, problem_window_start(now, 90), 10).empty());
    link(board, now - 1 * day);
    auto list = problem_devices(db, {}, problem_window_start(now, 90), 10);
    REQUIRE(list.size() == 1);
    CHECK(list[0].d.id == board.id);
    CHECK(list[0].tickets == 3);
    CHECK(list[0].last_ticket_at == now - 1 * day);
    // A manager's schools filter; another school's list is empty.
    CHECK(problem_devices(db, {"100011"}, problem_window_start(now, 90), 10).size() == 1);
    CHECK(problem_devices(db, {"100021"}, problem_window_start(now, 90), 10).empty());
    // Eleven days later the oldest board ticket leaves the window.
    CHECK(problem_devices(db, {}, problem_window_start(now + 11 * day, 90), 10).empty());
    // The rule with 2 tickets: recomputed once, then the iPad and the board count.
    CHECK(refresh_problem_since(db, 2));
    CHECK_FALSE(refresh_problem_since(db, 2));
    CHECK(problem_devices(db, {}, problem_window_start(now, 90), 10).size() == 2);
    // The board's query reads the partial index.
    SQLite::Statement plan(db, "EXPLAIN QUERY PLAN SELECT id FROM devices d INDEXED BY devices_problem "
                               "WHERE d.problem_since >= 0");
    REQUIRE(plan.executeStep());
    CHECK(plan.getColumn(3).getString().find("devices_problem") != std::string::npos);

    // Rates per kind: devices in service and their tickets in the window.
    const auto rates = device_kind_rates(db, {}, problem_window_start(now, 90));
    REQUIRE(rates.size() == 3);
    CHECK(rates[0].kind == device_kind::ipad);
    CHECK(rates[0].devices == 1);
    CHECK(rates[0].tickets == 2);
    CHECK(rates[1].kind == device_kind::digital_board);
    CHECK(rates[1].tickets == 3);
    CHECK(rates[2].kind == device_kind::printer);
    CHECK(rates[2].tickets == 0);
    CHECK(device_kind_rates(db, {"100021"}, problem_window_start(now, 90)).size() == 1);
    // History: newest first.
    const auto history = tickets_of_device(db, board.id, 10);
    REQUIRE(history.size() == 3);
    CHECK(history[0].created_at == now - 1 * day);
}

TEST_CASE("device lists filter by school, kind, status and text, and page", "[storage][devices]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    std::string rows;
    for (int i = 0; i < 30; ++i) rows += fmt::format("100011,ipad,iPad Air,S{:02},I-{:02},R{},pupils,,,\n", i, i, i % 3);
    rows += "100012,printer,HP 100%_x,P1,D-1,R0,admin,,,in_repair\n";
    REQUIRE(import_text(db, rows, monday_8am));
    CHECK(list_devices(db, {}).total == 31);
    CHECK(list_devices(db, {.schools = {"100012"}}).total == 1);
    CHECK(list_devices(db, {.kind = device_kind::ipad}).total == 30);
    CHECK(list_devices(db, {.state = device_status::in_repair}).total == 1);
    CHECK(list_devices(db, {.text = "R0"}).total == 11);  // a room
    CHECK(list_devices(db, {.text = "i-07"}).total == 0);  // inventory numbers exactly
    CHECK(list_devices(db, {.text = "s07"}).total == 1);   // serials without case
    CHECK(list_devices(db, {.text = "HP 100%"}).total == 1);  // the beginning of the model, % literal
    CHECK(list_devices(db, {.text = "HP 1000"}).total == 0);
    const auto page = list_devices(db, {.limit = 10, .offset = 25});
    CHECK(page.devices.size() == 6);
    CHECK(page.total == 31);
}
