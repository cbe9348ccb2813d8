#include "core/devices.hpp"

#include "core/app_config.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

namespace {

bool known(std::string_view number) { return number == "100001" || number == "100002"; }

const device_csv_format& format(std::string_view name) {
    static const devices_config config;
    const auto* f = config.find_format(name);
    REQUIRE(f != nullptr);
    return *f;
}

const std::string header =
    "school_number,kind,model,serial_number,inventory_number,room,owner_group,purchase_date,warranty_end,status\n";

device_csv_result read(const std::string& rows, std::string_view format_name = "campusdesk") {
    return read_device_csv(header + rows, format(format_name), known);
}

device make(std::string school, std::string serial, std::string inventory = "") {
    device d;
    d.school_number = std::move(school);
    d.serial = std::move(serial);
    d.inventory_number = std::move(inventory);
    d.kind = device_kind::ipad;
    return d;
}

} // namespace

TEST_CASE("kinds, owner groups and statuses are read from ids, German labels and synonyms") {
    const std::vector<std::pair<std::string, std::optional<device_kind>>> kinds{
        {"ipad", device_kind::ipad},           {"iPad", device_kind::ipad},
        {" Beamer ", device_kind::projector},  {"Digitale Tafel", device_kind::digital_board},
        {"digital_board", device_kind::digital_board}, {"Interactive Display", device_kind::digital_board},
        {"switch", device_kind::network_switch}, {"Access Point", device_kind::access_point},
        {"Drucker", device_kind::printer},     {"PC", device_kind::pc},
        {"Laptop", device_kind::notebook},     {"Sonstiges", device_kind::other},
        {"Toaster", std::nullopt},             {"", std::nullopt}};
    for (const auto& [text, expected] : kinds) {
        INFO(text);
        CHECK(parse_device_kind(text) == expected);
    }
    CHECK(parse_owner_group("Lehrkräfte") == owner_group::teachers);
    CHECK(parse_owner_group("students") == owner_group::pupils);
    CHECK(parse_owner_group("Verwaltung") == owner_group::admin);
    CHECK_FALSE(parse_owner_group("Eltern"));
    CHECK(parse_device_status("In Reparatur") == device_status::in_repair);
    CHECK(parse_device_status("retired") == device_status::retired);
    CHECK_FALSE(parse_device_status("kaputt"));
    for (auto k : all_device_kinds) CHECK(parse_device_kind(to_string(k)) == k);
    for (auto k : all_device_kinds) CHECK(parse_device_kind(device_kind_label(k)) == k);
}

TEST_CASE("the kind follows from an MDM's model name") {
    CHECK(kind_from_model("iPad (9th generation)") == device_kind::ipad);
    CHECK(kind_from_model("MacBook Air (M2, 2022)") == device_kind::notebook);
    CHECK(kind_from_model("iMac 24-inch") == device_kind::pc);
    CHECK(kind_from_model("Apple TV 4K") == device_kind::other);
    CHECK_FALSE(kind_from_model("Modell X"));
}

TEST_CASE("a valid campusdesk file becomes devices") {
    const auto r = read("100001,ipad,iPad (9th generation),dmpxk3abcd01,DO-IP-0001,B 2.03,pupils,2023-08-01,2026-07-31,in_use\n"
                        "100001,Digitale Tafel,Promethean,SN-2,DO-DT-0001,A 1.04,Lehrkräfte,15.08.2022,14.08.2027,In Reparatur\n"
                        "100002,,iPad Air,SN-3,,,,,,\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.rows.size() == 3);
    const auto& first = r.rows[0].d;
    CHECK(first.serial == "DMPXK3ABCD01");  // upper case
    CHECK(first.inventory_number == "DO-IP-0001");
    CHECK(first.purchase_date == local_date{2023, 8, 1});
    CHECK(first.warranty_end == local_date{2026, 7, 31});
    CHECK(r.rows[0].line == 2);
    CHECK(r.rows[1].d.kind == device_kind::digital_board);
    CHECK(r.rows[1].d.owner == owner_group::teachers);
    CHECK(r.rows[1].d.state == device_status::in_repair);
    CHECK(r.rows[1].d.purchase_date == local_date{2022, 8, 15});
    CHECK(r.rows[2].d.kind == device_kind::ipad);  // from the model
    CHECK(r.rows[2].d.owner == owner_group::pupils);  // the format's default
    CHECK_FALSE(r.rows[2].d.warranty_end);
}

TEST_CASE("every bad field is reported with its line and column, and no row is taken from a file with errors") {
    struct bad_case {
        std::string row;
        std::string column;
        std::string message_part;
    };
    const std::vector<bad_case> cases{
        {"999999,ipad,m,S1,,,,,,", "school_number", "nicht bekannt"},
        {",ipad,m,S1,,,,,,", "school_number", "fehlt"},
        {"100001,ipad,m,,,,,,,", "serial_number", "fehlt"},
        {"100001,Toaster,m,S1,,,,,,", "kind", "keine bekannte Geräteart"},
        {"100001,ipad,m,S1,,,Eltern,,,", "owner_group", "keine Nutzergruppe"},
        {"100001,ipad,m,S1,,,,2023-02-30,,", "purchase_date", "kein Datum"},
        {"100001,ipad,m,S1,,,,08/01/2023,,", "purchase_date", "kein Datum"},
        {"100001,ipad,m,S1,,,,2023-08-01,2022-01-01,", "warranty_end", "vor dem Kaufdatum"},
        {"100001,ipad,m,S1,,,,,,kaputt", "status", "kein Status"},
        {"100001,ipad,m," + std::string(41, 'X') + ",,,,,,", "serial_number", "Höchstens 40"},
        {"100001,ipad,m,S1,,,,,", "", "9 Felder statt 10"},
    };
    for (const auto& c : cases) {
        INFO(c.row);
        const auto r = read("100001,ipad,ok,GOOD1,,,,,,\n" + c.row + "\n");
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].line == 3);
        CHECK(r.errors[0].column == c.column);
        CHECK(r.errors[0].message.find(c.message_part) != std::string::npos);
        CHECK(r.rows.size() == 1);  // only the good one; the caller writes nothing when errors is not empty
    }
}

TEST_CASE("duplicates within a file are errors: serial anywhere, inventory number per school") {
    const auto r = read("100001,ipad,m,S1,INV-1,,,,,\n"
                        "100001,ipad,m,s1,INV-2,,,,,\n"    // same serial, other case
                        "100001,ipad,m,S3,INV-1,,,,,\n"    // same inventory number, same school
                        "100002,ipad,m,S4,INV-1,,,,,\n");  // same number at another school: fine
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].line == 3);
    CHECK(r.errors[0].message.find("Zeile 2") != std::string::npos);
    CHECK(r.errors[1].line == 4);
    CHECK(r.errors[1].column == "inventory_number");
}

TEST_CASE("a file that does not fit the format says so once") {
    const auto r = read_device_csv("Name;Modell\nx;y\n", format("jamf_school"), known);
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].message.find("„Location“") != std::string::npos);
    CHECK(r.errors[1].message.find("„Serial Number“") != std::string::npos);
    CHECK(read_device_csv("", format("campusdesk"), known).errors.at(0).message == "Die Datei ist leer.");
    CHECK(read(std::string()).errors.at(0).message.find("nur die Kopfzeile") != std::string::npos);
    CHECK(read("100001,ipad,\"m,S1\n").errors.at(0).message.find("keine gültige CSV-Datei") != std::string::npos);
}

TEST_CASE("MDM exports: Jamf School with semicolons, any header case, a location that begins with the school number") {
    const std::string jamf = "\xEF\xBB\xBF" "Name;Serial number;Model;Asset Tag;Location;OS Version\n"
                             "iPad 1;F9FXK1;iPad (10th generation);DO-0001;100001 Gymnasium am See;17.5\n"
                             "Board;C02AB;SMART Board MX;DO-0002;100002;-\n";
    const auto r = read_device_csv(jamf, format("jamf_school"), known);
    REQUIRE(r.errors.empty());
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].d.school_number == "100001");
    CHECK(r.rows[0].d.kind == device_kind::ipad);
    CHECK(r.rows[0].d.inventory_number == "DO-0001");
    CHECK(r.rows[1].d.kind == device_kind::digital_board);  // from the model
}

TEST_CASE("every built-in format maps the school and the serial number") {
    const devices_config config;
    for (const auto& f : config.formats) {
        INFO(f.name);
        CHECK(f.columns.contains(device_field::school));
        CHECK(f.columns.contains(device_field::serial));
    }
    for (auto name : {"campusdesk", "jamf_school", "apple_school_manager", "relution"}) CHECK(config.find_format(name));
}

TEST_CASE("a re-import adds, updates by serial, leaves the same alone and retires the missing of the file's schools") {
    std::vector<device> stored{make("100001", "A", "1"), make("100001", "B", "2"), make("100001", "C", "3"),
                               make("100002", "D", "4"), make("100001", "E", "5")};
    for (std::size_t i = 0; i < stored.size(); ++i) stored[i].id = static_cast<std::int64_t>(i) + 1;
    stored[4].state = device_status::retired;  // retired before: not retired again
    std::vector<device_row> rows{{2, make("100001", "A", "1")},     // unchanged
                                 {3, make("100001", "B", "2-neu")},  // updated
                                 {4, make("100001", "F", "6")}};     // added
    const auto plan = plan_device_import(rows, stored);
    CHECK(plan.unchanged == 1);
    REQUIRE(plan.updated.size() == 1);
    CHECK(plan.updated[0].id == 2);
    CHECK(plan.updated[0].inventory_number == "2-neu");
    REQUIRE(plan.added.size() == 1);
    CHECK(plan.added[0].serial == "F");
    REQUIRE(plan.retired.size() == 1);  // C; D's school is not in the file, E is retired already
    CHECK(plan.retired[0].serial == "C");
    CHECK(plan.retired[0].state == device_status::retired);

    // A device that moved school is updated (by serial), and a retired one listed again comes back.
    const auto moved = plan_device_import({{2, make("100002", "A", "1")}, {3, make("100001", "E", "5")}}, stored);
    REQUIRE(moved.updated.size() == 2);
    CHECK(moved.updated[0].school_number == "100002");
    CHECK(moved.updated[1].state == device_status::in_use);
}

TEST_CASE("warranty: in warranty through its last day, then expired; unknown without a date") {
    device d = make("100001", "A");
    const local_date today{2026, 11, 30};
    CHECK(warranty_of(d, today).state == warranty_state::unknown);
    CHECK(warranty_text(d, today) == "Garantie unbekannt");
    const std::vector<std::tuple<local_date, warranty_state, int, std::string>> cases{
        {{2027, 11, 30}, warranty_state::active, 365, "Garantie bis 30.11.2027 (noch 365 Tage)"},
        {{2026, 12, 1}, warranty_state::active, 1, "Garantie bis 01.12.2026 (noch 1 Tag)"},
        {{2026, 11, 30}, warranty_state::active, 0, "Garantie bis 30.11.2026 (endet heute)"},
        {{2026, 11, 29}, warranty_state::expired, 0, "Garantie abgelaufen am 29.11.2026"},
    };
    for (const auto& [end, state, days, text] : cases) {
        d.warranty_end = end;
        CHECK(warranty_of(d, today).state == state);
        CHECK(warranty_of(d, today).days_left == days);
        CHECK(warranty_text(d, today) == text);
    }
}

TEST_CASE("the problem-device rule: the threshold-th latest ticket inside the window") {
    constexpr time_ms day = 86'400'000;
    const time_ms now = 1000 * day;
    const std::vector<time_ms> tickets{now - 100 * day, now - 80 * day, now - 10 * day, now - 1 * day};
    // 3 tickets in 90 days: the 3rd latest is 80 days ago.
    CHECK(problem_since_of(tickets, 3) == now - 80 * day);
    CHECK(is_problem_device(problem_since_of(tickets, 3), now, 90));
    // 30 days: only two inside.
    CHECK_FALSE(is_problem_device(problem_since_of(tickets, 3), now, 30));
    // Exactly at the window's edge counts.
    CHECK(is_problem_device(now - 90 * day, now, 90));
    CHECK_FALSE(is_problem_device(now - 90 * day - 1, now, 90));
    // Fewer tickets than the threshold.
    CHECK_FALSE(problem_since_of(std::vector<time_ms>{now}, 3));
    CHECK_FALSE(is_problem_device(std::nullopt, now, 90));
    // Order does not matter.
    const std::vector<time_ms> shuffled{now - 1 * day, now - 100 * day, now - 10 * day, now - 80 * day};
    CHECK(problem_since_of(shuffled, 3) == problem_since_of(tickets, 3));
}

TEST_CASE("tickets per 100 devices") {
    CHECK(tickets_per_100(3, 200) == Approx(1.5));
    CHECK(tickets_per_100(0, 10) == Approx(0.0));
    CHECK_FALSE(tickets_per_100(5, 0));
}

TEST_CASE("visibility of devices: a teacher their school's, a manager their schools', the help desk all") {
    const device d = make("100001", "A");
    viewer teacher{1, role::teacher, "100001", 0, {}};
    viewer other_teacher{2, role::teacher, "100002", 0, {}};
    viewer manager{3, role::campus_manager, "", 7, {}};
    viewer standing_in{4, role::campus_manager, "", 8, {7}};
    viewer other_manager{5, role::campus_manager, "", 8, {}};
    viewer dispatcher{6, role::dispatcher, "", 0, {}};
    CHECK(can_see_device(teacher, d, 7));
    CHECK_FALSE(can_see_device(other_teacher, d, 7));
    CHECK(can_see_device(manager, d, 7));
    CHECK(can_see_device(standing_in, d, 7));
    CHECK_FALSE(can_see_device(other_manager, d, 7));
    CHECK(can_see_device(dispatcher, d, 7));
    CHECK(may_import_devices(role::dispatcher));
    CHECK(may_import_devices(role::admin));
    CHECK_FALSE(may_import_devices(role::campus_manager));
    CHECK_FALSE(may_import_devices(role::teacher));
}

TEST_CASE("the warranty in English", "[core][devices][language]") {
    device d;
    d.warranty_end = local_date{2027, 8, 31};
    CHECK(warranty_text(d, {2027, 5, 3}, language::en) == "Under warranty until 31 Aug 2027 (120 days left)");
    CHECK(warranty_text(d, {2027, 8, 30}, language::en) == "Under warranty until 31 Aug 2027 (1 day left)");
    CHECK(warranty_text(d, {2027, 8, 31}, language::en) == "Under warranty until 31 Aug 2027 (ends today)");
    CHECK(warranty_text(d, {2027, 9, 1}, language::en) == "Warranty ended on 31 Aug 2027");
    CHECK(warranty_text(d, {2027, 5, 3}) == "Garantie bis 31.08.2027 (noch 120 Tage)");
    d.warranty_end.reset();
    CHECK(warranty_text(d, {2027, 5, 3}, language::en) == "Warranty unknown");
}
