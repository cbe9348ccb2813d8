#include "core/app_config.hpp"
#include "core/german_holidays.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace campusdesk;

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string errors_text(const std::vector<config_error>& errors) {
    std::string text;
    for (const auto& e : errors) text += format_config_error(e) + "\n";
    return text;
}

const auto shipped_config_dir = std::filesystem::path(CAMPUSDESK_SOURCE_DIR) / "config";

// A shipped config of config/ (campusdesk.toml, or a demo's), read the way server/config_loader does: the toml
// first, then the files it names, relative to its directory. `holidays` (relative to config/) replaces the
// holidays file it names.
config_result<app_config> parse_shipped_config(const std::filesystem::path& toml = "campusdesk.toml",
                                               const std::filesystem::path& holidays = {}) {
    const auto dir = (shipped_config_dir / toml).parent_path();
    config_texts texts;
    texts.toml_path = (shipped_config_dir / toml).string();
    texts.toml = read_file(texts.toml_path);
    const auto names = parse_config_file_names(texts.toml, texts.toml_path);
    REQUIRE(std::holds_alternative<config_file_names>(names));
    const auto& files = std::get<config_file_names>(names);
    REQUIRE_FALSE(files.holidays.empty());
    texts.schools_path = (dir / files.schools).string();
    texts.managers_path = (dir / files.managers).string();
    texts.holidays_path = (holidays.empty() ? dir / files.holidays : shipped_config_dir / holidays).string();
    texts.schools_csv = read_file(texts.schools_path);
    texts.managers_csv = read_file(texts.managers_path);
    texts.holidays_toml = read_file(texts.holidays_path);
    return parse_config(texts);
}

// A small valid configuration; the broken-input cases change one line of it. Line numbers matter below.
config_texts small_config() {
    config_texts t;
    t.toml_path = "c.toml";
    t.toml = R"([server]
listen = "127.0.0.1:8080"
threads = 0
[limits]
title_max = 200
[files]
schools = "s.csv"
managers = "m.csv"
holidays = "h.toml"
[calendar]
time_zone = "Europe/Berlin"
holiday_state = "NW"
closure_days = ["2026-05-15"]
[calendar.working_hours]
monday = ["07:30-12:00", "12:30-16:30"]
friday = ["07:30-16:30"]
[sla]
warning_threshold = 0.75
pause_statuses = ["waiting_on_requester"]
[sla.targets]
critical = { first_response = 60, resolution = 540 }
[tickets]
reopen_window_days = 14
[[tickets.categories]]
id = "ipad"
label = "iPad"
[[partners]]
id = "carrier"
name = "Netzbetreiber"
)";
    t.managers_path = "m.csv";
    t.managers_csv = "login,name,email,phone\n"
                     "manager01,Anna Beispiel,a.beispiel@example.org,0231 1\n"
                     "manager02,Bernd Muster,b.muster@example.org,\n";
    t.schools_path = "s.csv";
    t.schools_csv = "school_number,name,kind,district,address,campus_manager\n"
                    "100001,Grundschule Eins,Grundschule,Eving,\"Evinger Straße 1, 44339 Dortmund\",manager01\n"
                    "100002,Gymnasium Zwei,Gymnasium,Hörde,\"Faßstraße 2, 44263 Dortmund\",manager02\n"
                    "100003,Förderschule Drei,Förderschule,Mengede,\"Siegburgstraße 3, 44359 Dortmund\",manager02\n";
    t.holidays_path = "h.toml";
    t.holidays_toml = "school_holidays = [\n"
                      "  { name = \"Herbstferien 2026\", first = \"2026-10-17\", last = \"2026-10-31\" },\n"
                      "]\n"
                      "closure_days = []\n";
    return t;
}

std::vector<config_error> errors_of(const config_result<app_config>& result) {
    if (const auto* errors = std::get_if<std::vector<config_error>>(&result)) return *errors;
    return {};
}

enum class which { toml, managers, schools, holidays };

std::string& text_of(config_texts& t, which w) {
    switch (w) {
    case which::toml: return t.toml;
    case which::managers: return t.managers_csv;
    case which::schools: return t.schools_csv;
    case which::holidays: return t.holidays_toml;
    }
    return t.toml;
}

} // namespace

TEST_CASE("the shipped config parses without errors", "[config]") {
    const auto result = parse_shipped_config();
    INFO(errors_text(errors_of(result)));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& c = std::get<app_config>(result);

    CHECK(c.schools.size() == 155);
    CHECK(c.managers.size() == 13);
    CHECK(c.listen == "127.0.0.1:8080");
    CHECK(c.threads == 0);
    CHECK(c.limits.max_body_bytes == 1024 * 1024);
    CHECK(c.limits.max_upload_bytes == 10 * 1024 * 1024);
    CHECK(c.limits.max_files_per_upload == 5);
    CHECK(c.reopen_window_days == 14);
    CHECK_FALSE(c.teachers_see_school_tickets);
    // The shipped file states the built-in session and login defaults.
    const app_config defaults;
    CHECK(c.public_url.empty());
    CHECK_FALSE(c.served_over_https());
    CHECK(c.trusted_proxies.empty());
    CHECK(c.sessions.teacher.idle == defaults.sessions.teacher.idle);
    CHECK(c.sessions.teacher.lifetime == defaults.sessions.teacher.lifetime);
    CHECK(c.sessions.staff.idle == defaults.sessions.staff.idle);
    CHECK(c.sessions.staff.lifetime == defaults.sessions.staff.lifetime);
    CHECK(c.sessions.token_lifetime == defaults.sessions.token_lifetime);
    CHECK(c.login.free_failures_per_login == defaults.login.free_failures_per_login);
    CHECK(c.login.free_failures_per_address == defaults.login.free_failures_per_address);
    CHECK(c.login.max_delay == defaults.login.max_delay);
    CHECK(c.login.window == defaults.login.window);
    CHECK(c.school_kinds == defaults.school_kinds);
    CHECK(c.districts == defaults.districts);

    SECTION("every school has one known campus manager, none more than 17, grouped by neighbouring districts") {
        std::map<std::string, int> per_manager;
        std::map<std::string, std::set<std::string>> districts_of;
        for (const auto& s : c.schools) {
            INFO(s.number);
            CHECK(c.find_manager(s.manager_login) != nullptr);
            ++per_manager[s.manager_login];
            districts_of[s.manager_login].insert(s.district);
        }
        CHECK(per_manager.size() == 13);  // every manager has schools
        for (const auto& [login, n] : per_manager) {
            INFO(login);
            CHECK(n <= 17);
            // Substitutes are suggested from the neighbouring schools; a manager spread over the city breaks that.
            CHECK(districts_of[login].size() <= 2);
        }
    }
    SECTION("all seven kinds and all twelve districts, with realistic shares") {
        std::map<std::string, int> kinds;
        std::set<std::string> districts;
        for (const auto& s : c.schools) {
            ++kinds[s.kind];
            districts.insert(s.district);
        }
        CHECK(kinds.size() == 7);
        CHECK(districts.size() == 12);
        CHECK(kinds["Grundschule"] > 80);
        CHECK(kinds["Berufskolleg"] >= 5);
    }
    SECTION("school numbers are unique six-digit numbers and can be looked up") {
        std::set<std::string> numbers;
        for (const auto& s : c.schools) numbers.insert(s.number);
        CHECK(numbers.size() == 155);
        const auto& any = c.schools[77];
        REQUIRE(c.find_school(any.number) == &any);
        CHECK(c.find_school("999999") == nullptr);
        CHECK(c.find_school("") == nullptr);
    }
    SECTION("the SLA policy is SLA.md §2") {
        CHECK(c.sla.for_priority(priority::critical).first_response_minutes == 60);
        CHECK(c.sla.for_priority(priority::critical).resolution_minutes == 540);
        CHECK(c.sla.for_priority(priority::high).first_response_minutes == 240);
        CHECK(c.sla.for_priority(priority::high).resolution_minutes == 1620);
        CHECK(c.sla.for_priority(priority::normal).first_response_minutes == 540);
        CHECK(c.sla.for_priority(priority::normal).resolution_minutes == 2700);
        CHECK(c.sla.for_priority(priority::low).first_response_minutes == 1080);
        CHECK(c.sla.for_priority(priority::low).resolution_minutes == 5400);
        CHECK(c.sla.warning_threshold == Approx(0.75));
        CHECK(c.sla.pause_statuses == std::vector<status>{status::waiting_on_requester});
    }
    SECTION("the calendar: Mon-Fri 07:30-16:30 in Berlin, NW holidays, NRW Schulferien, the example Brückentag") {
        CHECK(c.calendar.time_zone == "Europe/Berlin");
        CHECK(c.calendar.holiday_state == "NW");
        CHECK(c.calendar.school_holidays_are_business_days);
        for (int day = 0; day < 5; ++day) {
            REQUIRE(c.calendar.working_hours[day].size() == 1);
            CHECK(c.calendar.working_hours[day][0].begin_minute == 7 * 60 + 30);
            CHECK(c.calendar.working_hours[day][0].end_minute == 16 * 60 + 30);
        }
        CHECK(c.calendar.working_hours[5].empty());
        CHECK(c.calendar.working_hours[6].empty());
        CHECK(c.calendar.closure_days == std::vector<local_date>{{2026, 5, 15}});
        REQUIRE(c.calendar.school_holidays.size() == 14);  // 2025/26 to 2027/28
        const auto& summer = c.calendar.school_holidays[4];
        CHECK(summer.name == "Sommerferien 2026");
        CHECK(summer.first == local_date{2026, 7, 20});
        CHECK(summer.last == local_date{2026, 9, 1});
    }
    SECTION("the API's categories and the escalation partners") {
        for (const char* id : {"ipad", "notebook", "pc", "presentation", "network", "printer", "software", "account", "other"})
            CHECK(c.has_category(id));
        CHECK_FALSE(c.has_category("toaster"));
        for (const char* id : {"carrier", "device_vendor", "systemhaus", "school_authority", "dokom"})
            CHECK(c.find_partner(id) != nullptr);
        CHECK(c.find_partner("nobody") == nullptr);
    }
}

TEST_CASE("a small config parses into exactly what it says", "[config]") {
    const auto result = parse_config(small_config());
    INFO(errors_text(errors_of(result)));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& c = std::get<app_config>(result);
    CHECK(c.managers.size() == 2);
    CHECK(c.managers[1].phone.empty());
    REQUIRE(c.schools.size() == 3);
    CHECK(c.schools[0].address == "Evinger Straße 1, 44339 Dortmund");
    CHECK(c.find_school("100003")->manager_login == "manager02");
    // A given week replaces the default one: days left out have no working hours.
    CHECK(c.calendar.working_hours[0].size() == 2);
    CHECK(c.calendar.working_hours[1].empty());
    CHECK(c.calendar.working_hours[4].size() == 1);
    CHECK(c.categories.size() == 1);
    CHECK(c.partners.size() == 1);
    // Priorities not listed keep their defaults.
    CHECK(c.sla.for_priority(priority::low).resolution_minutes == 5400);
}

TEST_CASE("missing sections and an empty holidays path give the defaults", "[config]") {
    auto t = small_config();
    t.toml = "";
    t.holidays_path.clear();
    t.holidays_toml = "this is not read";
    const auto result = parse_config(t);
    INFO(errors_text(errors_of(result)));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& c = std::get<app_config>(result);
    const app_config defaults;
    CHECK(c.listen == defaults.listen);
    CHECK(c.sla.targets[2].resolution_minutes == 2700);
    CHECK(c.calendar.working_hours[0].size() == 1);
    CHECK(c.calendar.school_holidays.empty());
    CHECK(c.categories.size() == 9);
    CHECK(c.partners.empty());
}

TEST_CASE("the first phase reads the file names only", "[config]") {
    SECTION("names as written, holidays optional") {
        const auto names = parse_config_file_names("[files]\nschools = \"a/b.csv\"\n", "c.toml");
        REQUIRE(std::holds_alternative<config_file_names>(names));
        CHECK(std::get<config_file_names>(names).schools == "a/b.csv");
        CHECK(std::get<config_file_names>(names).managers == "managers.csv");
        CHECK(std::get<config_file_names>(names).holidays.empty());
    }
    SECTION("a syntax error anywhere is reported with its line") {
        const auto names = parse_config_file_names("[files]\nschools = \"a.csv\"\n[sla\n", "c.toml");
        REQUIRE(std::holds_alternative<std::vector<config_error>>(names));
        const auto& errors = std::get<std::vector<config_error>>(names);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].file == "c.toml");
        CHECK(errors[0].line == 3);
        CHECK(errors[0].field == "syntax");
    }
    SECTION("a file name that is not a string") {
        const auto names = parse_config_file_names("[files]\n\nmanagers = 5\n", "c.toml");
        REQUIRE(std::holds_alternative<std::vector<config_error>>(names));
        const auto& e = std::get<std::vector<config_error>>(names).at(0);
        CHECK(format_config_error(e) == "c.toml:3: files.managers: must be a string");
    }
}

TEST_CASE("each broken input is reported with its file, line and field", "[config]") {
    struct broken {
        const char* what;
        which in;
        const char* find;
        const char* replace;
        const char* file;
        int line;
        const char* field;
        std::size_t count;  // all errors expected, including consequences in other files
    };
    const auto b = GENERATE(values<broken>({
        {"toml syntax", which::toml, "threads = 0", "threads = = 0", "c.toml", 3, "syntax", 1},
        {"negative threads", which::toml, "threads = 0", "threads = -1", "c.toml", 3, "server.threads", 1},
        {"listen without a port", which::toml, "\"127.0.0.1:8080\"", "\"localhost\"", "c.toml", 2, "server.listen", 1},
        {"port out of range", which::toml, "\"127.0.0.1:8080\"", "\"127.0.0.1:80800\"", "c.toml", 2, "server.listen", 1},
        {"a zero limit", which::toml, "title_max = 200", "title_max = 0", "c.toml", 5, "limits.title_max", 1},
        {"a limit as text", which::toml, "title_max = 200", "title_max = \"200\"", "c.toml", 5, "limits.title_max", 1},
        {"a misspelt limit", which::toml, "title_max = 200", "titel_max = 200", "c.toml", 5, "limits.titel_max", 1},
        {"an unknown section", which::toml, "[limits]", "[limit]", "c.toml", 4, "limit", 1},
        {"a file name that is not a string", which::toml, "schools = \"s.csv\"", "schools = 1", "c.toml", 7, "files.schools", 1},
        {"unknown time zone", which::toml, "Europe/Berlin", "Europe/Dortmund", "c.toml", 11, "calendar.time_zone", 1},
        {"unknown state", which::toml, "\"NW\"", "\"XX\"", "c.toml", 12, "calendar.holiday_state", 1},
        {"no such date", which::toml, "2026-05-15", "2026-02-30", "c.toml", 13, "calendar.closure_days", 1},
        {"German date format", which::toml, "2026-05-15", "15.05.2026", "c.toml", 13, "calendar.closure_days", 1},
        {"bad time", which::toml, "\"07:30-12:00\"", "\"7:30-12:00\"", "c.toml", 15, "calendar.working_hours.monday", 1},
        {"minute 60", which::toml, "\"07:30-12:00\"", "\"07:60-12:00\"", "c.toml", 15, "calendar.working_hours.monday", 1},
        {"past midnight", which::toml, "\"07:30-16:30\"]", "\"07:30-24:30\"]", "c.toml", 16, "calendar.working_hours.friday", 1},
        {"end before begin", which::toml, "\"07:30-12:00\"", "\"12:00-07:30\"", "c.toml", 15, "calendar.working_hours.monday", 1},
        {"empty interval", which::toml, "\"07:30-12:00\"", "\"07:30-07:30\"", "c.toml", 15, "calendar.working_hours.monday", 1},
        {"overlapping intervals", which::toml, "\"12:30-16:30\"", "\"11:30-16:30\"", "c.toml", 15, "calendar.working_hours.monday", 1},
        {"unknown weekday", which::toml, "friday =", "fryday =", "c.toml", 16, "calendar.working_hours.fryday", 1},
        {"threshold zero", which::toml, "warning_threshold = 0.75", "warning_threshold = 0", "c.toml", 18, "sla.warning_threshold", 1},
        {"threshold above one", which::toml, "warning_threshold = 0.75", "warning_threshold = 1.5", "c.toml", 18, "sla.warning_threshold", 1},
        {"a status that cannot pause", which::toml, "[\"waiting_on_requester\"]", "[\"open\"]", "c.toml", 19, "sla.pause_statuses", 1},
        {"an unknown status", which::toml, "[\"waiting_on_requester\"]", "[\"waiting\"]", "c.toml", 19, "sla.pause_statuses", 1},
        {"unknown priority", which::toml, "critical = {", "urgent = {", "c.toml", 21, "sla.targets.urgent", 1},
        {"zero target", which::toml, "first_response = 60", "first_response = 0", "c.toml", 21, "sla.targets.critical.first_response", 1},
        {"negative target", which::toml, "resolution = 540", "resolution = -540", "c.toml", 21, "sla.targets.critical.resolution", 1},
        {"fractional target", which::toml, "resolution = 540", "resolution = 540.5", "c.toml", 21, "sla.targets.critical.resolution", 1},
        {"negative reopen window", which::toml, "reopen_window_days = 14", "reopen_window_days = -1", "c.toml", 23, "tickets.reopen_window_days", 1},
        {"category id not plain", which::toml, "id = \"ipad\"", "id = \"iPad\"", "c.toml", 25, "tickets.categories.id", 1},
        {"duplicate category", which::toml, "[[partners]]", "[[tickets.categories]]\nid = \"ipad\"\nlabel = \"iPad 2\"\n[[partners]]",
         "c.toml", 28, "tickets.categories.id", 1},
        {"no districts", which::toml, "name = \"Netzbetreiber\"\n", "name = \"Netzbetreiber\"\n[schools]\ndistricts = []\n",
         "c.toml", 31, "schools.districts", 1},
        {"a district twice", which::toml, "name = \"Netzbetreiber\"\n",
         "name = \"Netzbetreiber\"\n[schools]\ndistricts = [\"Eving\", \"Hörde\", \"Eving\"]\n", "c.toml", 31, "schools.districts", 1},
        {"a blank kind", which::toml, "name = \"Netzbetreiber\"\n", "name = \"Netzbetreiber\"\n[schools]\nkinds = [\" \"]\n",
         "c.toml", 31, "schools.kinds", 1},
        {"a misspelt schools key", which::toml, "name = \"Netzbetreiber\"\n",
         "name = \"Netzbetreiber\"\n[schools]\ndistrict = [\"Eving\"]\n", "c.toml", 31, "schools.district", 1},
        {"a district outside the configured ones", which::toml, "name = \"Netzbetreiber\"\n",
         "name = \"Netzbetreiber\"\n[schools]\ndistricts = [\"Eving\", \"Mengede\"]\n", "s.csv", 3, "district", 1},
        {"a kind outside the configured ones", which::toml, "name = \"Netzbetreiber\"\n",
         "name = \"Netzbetreiber\"\n[schools]\nkinds = [\"Grundschule\", \"Gymnasium\"]\n", "s.csv", 4, "kind", 1},
        {"partner without a name", which::toml, "name = \"Netzbetreiber\"", "name = \"\"", "c.toml", 29, "partners.name", 1},
        {"duplicate partner", which::toml, "name = \"Netzbetreiber\"\n", "name = \"Netzbetreiber\"\n[[partners]]\nid = \"carrier\"\nname = \"x\"\n",
         "c.toml", 31, "partners.id", 1},

        {"bad e-mail", which::managers, "a.beispiel@example.org", "a.beispiel(at)example.org", "m.csv", 2, "email", 1},
        {"no name", which::managers, "Anna Beispiel", " ", "m.csv", 2, "name", 1},
        {"duplicate login", which::managers, "manager02,", "manager01,", "m.csv", 3, "login", 3},
        {"login with capitals", which::managers, "manager02,", "Manager02,", "m.csv", 3, "login", 3},
        {"missing field", which::managers, "b.muster@example.org,\n", "b.muster@example.org\n", "m.csv", 3, "csv", 3},
        {"wrong header", which::managers, "login,name,email,phone", "login,name,mail,phone", "m.csv", 1, "header", 4},

        {"duplicate school number", which::schools, "100002,", "100001,", "s.csv", 3, "school_number", 1},
        {"five-digit school number", which::schools, "100003,", "10003,", "s.csv", 4, "school_number", 1},
        {"unknown kind", which::schools, ",Grundschule,", ",Grundschüle,", "s.csv", 2, "kind", 1},
        {"unknown district", which::schools, ",Hörde,", ",Dortmund-Mitte,", "s.csv", 3, "district", 1},
        {"unknown manager", which::schools, ",manager02\n1000", ",manager03\n1000", "s.csv", 3, "campus_manager", 1},
        {"empty address", which::schools, "\"Siegburgstraße 3, 44359 Dortmund\"", "\"\"", "s.csv", 4, "address", 1},
        {"unclosed quote", which::schools, "Faßstraße 2, 44263 Dortmund\"", "Faßstraße 2, 44263 Dortmund", "s.csv", 3, "csv", 1},
        {"quote in an unquoted field", which::schools, "Gymnasium Zwei", "Gymnasium \"Zwei\"", "s.csv", 3, "csv", 1},
        {"text after a closing quote", which::schools, "Dortmund\",manager01", "Dortmund\" x,manager01", "s.csv", 2, "csv", 1},
        {"an extra field", which::schools, ",manager01\n", ",manager01,\n", "s.csv", 2, "csv", 1},

        {"holidays ending before they begin", which::holidays, "\"2026-10-31\"", "\"2026-10-01\"", "h.toml", 2, "school_holidays.last", 1},
        {"holiday with a bad date", which::holidays, "\"2026-10-17\"", "\"2026-13-17\"", "h.toml", 2, "school_holidays.first", 1},
        {"holiday without a name", which::holidays, "name = \"Herbstferien 2026\", ", "", "h.toml", 2, "school_holidays.name", 1},
        {"holidays syntax", which::holidays, "closure_days = []", "closure_days = [", "h.toml", 4, "syntax", 1},
        {"bad closure day", which::holidays, "closure_days = []", "closure_days = [\"morgen\"]", "h.toml", 4, "closure_days", 1},
        {"unknown key", which::holidays, "closure_days = []", "closure_day = []", "h.toml", 4, "closure_day", 1},
    }));

    auto texts = small_config();
    auto& text = text_of(texts, b.in);
    const auto at = text.find(b.find);
    REQUIRE(at != std::string::npos);
    text.replace(at, std::string_view(b.find).size(), b.replace);

    const auto errors = errors_of(parse_config(texts));
    INFO(b.what << "\n" << errors_text(errors));
    REQUIRE(!errors.empty());
    CHECK(errors.front().file == b.file);
    CHECK(errors.front().line == b.line);
    CHECK(errors.front().field == b.field);
    CHECK_FALSE(errors.front().message.empty());
    CHECK(errors.size() == b.count);
}

TEST_CASE("every error is reported, not just the first", "[config]") {
    auto t = small_config();
    t.toml.replace(t.toml.find("threads = 0"), 11, "threads = -1");
    t.toml.replace(t.toml.find("Europe/Berlin"), 13, "Mars/Olympus");
    t.managers_csv.replace(t.managers_csv.find("a.beispiel@example.org"), 22, "nobody");
    t.schools_csv.replace(t.schools_csv.find(",Eving,"), 7, ",Nirgendwo,");
    t.holidays_toml.replace(t.holidays_toml.find("2026-10-31"), 10, "2026-10-32");
    const auto errors = errors_of(parse_config(t));
    INFO(errors_text(errors));
    std::vector<std::string> where;
    for (const auto& e : errors) where.push_back(e.file + ":" + std::to_string(e.line) + ":" + e.field);
    CHECK(where == std::vector<std::string>{"c.toml:3:server.threads", "c.toml:11:calendar.time_zone", "m.csv:2:email",
                                            "s.csv:2:district", "h.toml:2:school_holidays.last"});
}

TEST_CASE("a campus manager with more than 17 schools is an error at the 18th", "[config]") {
    auto t = small_config();
    t.schools_csv = "school_number,name,kind,district,address,campus_manager\n";
    for (int i = 1; i <= 19; ++i)
        t.schools_csv += fmt::format("1000{:02},Grundschule {},Grundschule,Eving,Evinger Straße {},manager01\n", i, i, i);
    const auto errors = errors_of(parse_config(t));
    INFO(errors_text(errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].file == "s.csv");
    CHECK(errors[0].line == 19);  // the header is line 1, the 18th school line 19
    CHECK(errors[0].field == "campus_manager");
}

TEST_CASE("TOML dates may be written without quotes", "[config]") {
    auto t = small_config();
    t.toml.replace(t.toml.find("[\"2026-05-15\"]"), 14, "[2026-05-15, \"2026-12-24\"]");
    t.holidays_toml.replace(t.holidays_toml.find("\"2026-10-17\""), 12, "2026-10-17");
    const auto result = parse_config(t);
    INFO(errors_text(errors_of(result)));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& cal = std::get<app_config>(result).calendar;
    CHECK(cal.closure_days == std::vector<local_date>{{2026, 5, 15}, {2026, 12, 24}});
    CHECK(cal.school_holidays.at(0).first == local_date{2026, 10, 17});
}

TEST_CASE("CSV follows RFC 4180", "[config][csv]") {
    SECTION("quoted commas, doubled quotes, a line break inside quotes, CRLF, a BOM, a blank line") {
        const std::string text = "\xEF\xBB\xBF" "a,b,c\r\n"
                                 "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
                                 "\r\n"
                                 "2,\"two\nlines\",\r\n"
                                 "3,,\"\"";
        const auto parsed = parse_csv(text, "t.csv");
        REQUIRE(std::holds_alternative<std::vector<csv_row>>(parsed));
        const auto& rows = std::get<std::vector<csv_row>>(parsed);
        REQUIRE(rows.size() == 4);
        CHECK(rows[0].fields == std::vector<std::string>{"a", "b", "c"});
        CHECK(rows[1].fields == std::vector<std::string>{"1", "x, y", "say \"hi\""});
        CHECK(rows[2].line == 4);
        CHECK(rows[2].fields == std::vector<std::string>{"2", "two\nlines", ""});
        CHECK(rows[3].line == 6);  // the quoted line break counts
        CHECK(rows[3].fields == std::vector<std::string>{"3", "", ""});
    }
    SECTION("an unclosed quote is reported at the line it opens") {
        const auto parsed = parse_csv("a,b\n1,\"open\n2,3\n", "t.csv");
        REQUIRE(std::holds_alternative<config_error>(parsed));
        CHECK(format_config_error(std::get<config_error>(parsed)) == "t.csv:2: csv: a quoted field is not closed");
    }
    SECTION("an empty text has no rows") {
        const auto parsed = parse_csv("", "t.csv");
        REQUIRE(std::holds_alternative<std::vector<csv_row>>(parsed));
        CHECK(std::get<std::vector<csv_row>>(parsed).empty());
    }
}

TEST_CASE("empty lists of schools and managers are errors", "[config]") {
    auto t = small_config();
    t.managers_csv = "login,name,email,phone\n";
    t.schools_csv = "";
    const auto errors = errors_of(parse_config(t));
    INFO(errors_text(errors));
    REQUIRE(errors.size() == 2);
    CHECK(format_config_error(errors[0]) == "m.csv:0: login: no campus managers listed");
    CHECK(errors[1].file == "s.csv");
    CHECK(errors[1].field == "header");
}

TEST_CASE("session, login and HTTPS settings are read in their units", "[config]") {
    auto t = small_config();
    t.toml += "\n[sessions]\nteacher_idle_minutes = 10\nstaff_lifetime_hours = 9\ntoken_lifetime_days = 30\n"
              "[login]\nfree_failures_per_login = 3\nmax_delay_seconds = 30\n";
    SECTION("values") {
        const auto result = parse_config(t);
        INFO(errors_text(errors_of(result)));
        REQUIRE(std::holds_alternative<app_config>(result));
        const auto& c = std::get<app_config>(result);
        CHECK(c.sessions.teacher.idle == 10 * 60 * 1000);
        CHECK(c.sessions.staff.lifetime == 9LL * 3600 * 1000);
        CHECK(c.sessions.token_lifetime == 30LL * 24 * 3600 * 1000);
        CHECK(c.sessions.staff.idle == app_config{}.sessions.staff.idle);  // not given: default
        CHECK(c.login.free_failures_per_login == 3);
        CHECK(c.login.max_delay == 30 * 1000);
    }
    SECTION("https public_url and proxies") {
        auto with_url = t;
        with_url.toml.replace(with_url.toml.find("[server]"), 8,
                              "[server]\npublic_url = \"https://helpdesk.example.de\"\ntrusted_proxies = [\"10.0.0.5\"]");
        const auto result = parse_config(with_url);
        INFO(errors_text(errors_of(result)));
        REQUIRE(std::holds_alternative<app_config>(result));
        CHECK(std::get<app_config>(result).served_over_https());
        CHECK(std::get<app_config>(result).trusted_proxies == std::vector<std::string>{"10.0.0.5"});
        CHECK(std::get<app_config>(result).forwarded == forwarded_header::x_forwarded_for);
    }
    SECTION("the proxies' header") {
        for (const auto& [value, parsed] : {std::pair{"\"Forwarded\"", forwarded_header::forwarded},
                                            std::pair{"\"X-Forwarded-For\"", forwarded_header::x_forwarded_for}}) {
            auto with_header = t;
            with_header.toml.replace(with_header.toml.find("[server]"), 8,
                                     std::string("[server]\nforwarded_header = ") + value);
            const auto result = parse_config(with_header);
            INFO(value << errors_text(errors_of(result)));
            REQUIRE(std::holds_alternative<app_config>(result));
            CHECK(std::get<app_config>(result).forwarded == parsed);
        }
        for (const char* value : {"\"forwarded\"", "\"X-Real-IP\"", "1"}) {
            auto bad = t;
            bad.toml.replace(bad.toml.find("[server]"), 8, std::string("[server]\nforwarded_header = ") + value);
            const auto result = parse_config(bad);
            INFO(value);
            REQUIRE(std::holds_alternative<std::vector<config_error>>(result));
            CHECK(std::get<std::vector<config_error>>(result).at(0).field == "server.forwarded_header");
        }
    }
    SECTION("errors name the field") {
        auto bad = t;
        bad.toml += "\n";
        bad.toml.replace(bad.toml.find("teacher_idle_minutes = 10"), 25, "teacher_idle_minutes = 0");
        const auto result = parse_config(bad);
        REQUIRE(std::holds_alternative<std::vector<config_error>>(result));
        CHECK(std::get<std::vector<config_error>>(result).at(0).field == "sessions.teacher_idle_minutes");
    }
}

TEST_CASE("the [mail] section: a complete one parses, each mistake is named", "[config][mail]") {
    const std::string good = R"(
[mail]
enabled = true
from = "IT-Schulcampus <helpdesk@schulen.example.de>"
reply_address = "helpdesk+{token}@schulen.example.de"
[mail.smtp]
url = "smtp://127.0.0.1:2525"
tls = "off"
timeout_seconds = 5
[mail.imap]
url = "imap://127.0.0.1:1143/INBOX"
mode = "poll"
poll_seconds = 5
default_category = "ipad"
[mail.retry]
max_attempts = 3
)";
    auto t = small_config();
    t.toml += good;
    const auto result = parse_config(t);
    INFO(errors_text(errors_of(result)));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& m = std::get<app_config>(result).mail;
    CHECK(m.enabled);
    CHECK(m.smtp.url == "smtp://127.0.0.1:2525");
    CHECK(m.smtp.tls == "off");
    CHECK(m.smtp.timeout_seconds == 5);
    CHECK(m.imap.mode == "poll");
    CHECK(m.imap.default_category == "ipad");
    CHECK(m.imap.poll_seconds == 5);
    CHECK(m.imap.unknown_senders == "triage");  // not given: the default
    CHECK(m.retry.max_attempts == 3);
    CHECK(m.retry.first_delay_seconds == 60);

    {  // IMAP IDLE, and unknown senders answered
        auto answering = small_config();
        std::string toml = good;
        toml.replace(toml.find("mode = \"poll\""), 13, "mode = \"idle\"\nunknown_senders = \"answer\"");
        answering.toml += toml;
        const auto parsed = parse_config(answering);
        INFO(errors_text(errors_of(parsed)));
        REQUIRE(std::holds_alternative<app_config>(parsed));
        CHECK(std::get<app_config>(parsed).mail.imap.unknown_senders == "answer");
        CHECK(std::get<app_config>(parsed).mail.imap.mode == "idle");
    }

    struct broken {
        const char* what;
        const char* find;
        const char* replace;
        const char* field;
    };
    const auto b = GENERATE(values<broken>({
        {"a misspelt key", "tls = \"off\"", "tsl = \"off\"", "mail.smtp.tsl"},
        {"an unknown tls choice", "tls = \"off\"", "tls = \"sometimes\"", "mail.smtp.tls"},
        {"an SMTP url of another scheme", "smtp://127.0.0.1:2525", "http://127.0.0.1:2525", "mail.smtp.url"},
        {"an IMAP url of another scheme", "imap://127.0.0.1:1143/INBOX", "pop3://127.0.0.1/INBOX", "mail.imap.url"},
        {"a reply address without its token", "helpdesk+{token}@", "helpdesk@", "mail.reply_address"},
        {"a reply address with two tokens", "helpdesk+{token}@", "{token}+{token}@", "mail.reply_address"},
        {"a reply address that is no address", "helpdesk+{token}@schulen.example.de", "helpdesk+{token}", "mail.reply_address"},
        {"an unknown category", "default_category = \"ipad\"", "default_category = \"toaster\"", "mail.imap.default_category"},
        {"an unknown mode", "mode = \"poll\"", "mode = \"push\"", "mail.imap.mode"},
        {"a done mailbox with umlauts", "mode = \"poll\"", "mode = \"poll\"\ndone_mailbox = \"Erledigt/Übernommen\"",
         "mail.imap.done_mailbox"},
        {"an unknown choice for unknown senders", "mode = \"poll\"",
         "mode = \"poll\"\nunknown_senders = \"reply\"", "mail.imap.unknown_senders"},
        {"zero attempts", "max_attempts = 3", "max_attempts = 0", "mail.retry.max_attempts"},
        {"enabled without a sender", "from = \"IT-Schulcampus <helpdesk@schulen.example.de>\"", "", "mail.from"},
        {"enabled without SMTP", "url = \"smtp://127.0.0.1:2525\"", "", "mail.smtp.url"},
        {"smtp not a table", "[mail.smtp]\n", "smtp = 1\n[mail.x]\n", "mail.smtp"},
    }));
    auto t2 = small_config();
    std::string toml = good;
    const auto at = toml.find(b.find);
    REQUIRE(at != std::string::npos);
    toml.replace(at, std::strlen(b.find), b.replace);
    t2.toml += toml;
    const auto errors = errors_of(parse_config(t2));
    INFO(b.what << "\n" << errors_text(errors));
    REQUIRE_FALSE(errors.empty());
    CHECK(std::any_of(errors.begin(), errors.end(), [&](const config_error& e) { return e.field == b.field; }));
}

namespace {

// The German name of each state, as the header of its calendar file names it: "… in Sachsen (SN), …".
const std::map<std::string_view, std::string_view> state_names{
    {"BW", "Baden-Württemberg"}, {"BY", "Bayern"},         {"BE", "Berlin"},
    {"BB", "Brandenburg"},       {"HB", "Bremen"},         {"HH", "Hamburg"},
    {"HE", "Hessen"},            {"MV", "Mecklenburg-Vorpommern"}, {"NI", "Niedersachsen"},
    {"NW", "Nordrhein-Westfalen"}, {"RP", "Rheinland-Pfalz"}, {"SL", "Saarland"},
    {"SN", "Sachsen"},           {"ST", "Sachsen-Anhalt"}, {"SH", "Schleswig-Holstein"},
    {"TH", "Thüringen"}};

std::string calendar_file(std::string_view state) {
    std::string name(state);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return "calendar/" + name + ".toml";
}

std::string iso(const local_date& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

// The school year (its first calendar year) a period's name places it in: "Weihnachtsferien 2026/27" and
// "Herbstferien 2026" (and Bavaria's Buß- und Bettag in November) open school year 2026/27; every other period
// ("Winterferien 2027" … "Sommerferien 2027") closes it. 0 if the name carries no year.
int school_year_of(const std::string& name, int& named_year) {
    static const std::regex year(R"(((?:19|20)\d\d)(/\d\d)?$)");
    std::smatch m;
    if (!std::regex_search(name, m, year)) return 0;
    named_year = std::stoi(m[1].str());
    const bool opens = m[2].matched || name.starts_with("Herbstferien") || name.starts_with("Buß- und Bettag");
    return opens ? named_year : named_year - 1;
}

} // namespace

TEST_CASE("config/calendar/ holds one school calendar per state and nothing else", "[config][calendar]") {
    std::set<std::string> expected;
    for (const auto state : known_states()) expected.insert(calendar_file(state));
    std::set<std::string> present;
    for (const auto& entry : std::filesystem::directory_iterator(shipped_config_dir / "calendar"))
        present.insert("calendar/" + entry.path().filename().string());
    CHECK(present == expected);
}

TEST_CASE("every state's shipped school calendar parses, is ordered and stays within its school years",
          "[config][calendar]") {
    const auto state = std::string(GENERATE(from_range(known_states())));
    const auto file = calendar_file(state);
    INFO(file);
    const auto result = parse_shipped_config("campusdesk.toml", file);
    INFO(errors_text(errors_of(result)));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& periods = std::get<app_config>(result).calendar.school_holidays;
    REQUIRE_FALSE(periods.empty());

    // The header names the state and the sources with their date.
    const auto text = read_file(shipped_config_dir / file);
    const auto first_line = text.substr(0, text.find('\n'));
    CHECK_THAT(first_line, Catch::Contains(fmt::format("in {} ({})", state_names.at(state), state)));
    CHECK_THAT(text, Catch::Contains("# Sources, retrieved 20"));

    std::set<int> school_years;
    std::set<int> summers;
    for (std::size_t i = 0; i < periods.size(); ++i) {
        const auto& p = periods[i];
        INFO(p.name << ": " << iso(p.first) << " .. " << iso(p.last));
        CHECK(p.first <= p.last);
        if (i > 0) CHECK(periods[i - 1].last < p.first);  // sorted, no overlap, no period listed twice
        int named_year = 0;
        const int year = school_year_of(p.name, named_year);
        REQUIRE(year != 0);
        CHECK(named_year == p.first.year);
        // A school year runs from August to July; the Sommerferien that close it end in September at the latest.
        CHECK(p.first >= local_date{year, 8, 1});
        CHECK(p.last <= local_date{year + 1, 9, 30});
        school_years.insert(year);
        if (p.name.starts_with("Sommerferien")) summers.insert(p.first.year);
    }
    // 2025/26 and 2026/27 complete up to their Sommerferien; 2027/28 as far as published.
    CHECK(school_years.contains(2025));
    CHECK(school_years.contains(2026));
    CHECK(school_years.contains(2027));
    CHECK(summers.contains(2026));
    CHECK(summers.contains(2027));
}

TEST_CASE("the shipped school calendars have the dates checked in two sources", "[config][calendar]") {
    // Periods both compilations list (tools/school-holidays/crosscheck.py), each also on a state's or a school's
    // published table where noted.
    struct period {
        const char* state;
        const char* name;
        local_date first, last;
    };
    const auto c = GENERATE(values<period>({
        {"BW", "Herbstferien 2026", {2026, 10, 26}, {2026, 10, 31}},  // two rows in one source: one period
        {"BW", "Weihnachtsferien 2026/27", {2026, 12, 23}, {2027, 1, 9}},
        {"BY", "Pfingstferien 2026", {2026, 5, 26}, {2026, 6, 5}},  // and a Munich school's page
        {"BY", "Buß- und Bettag (unterrichtsfrei) 2026", {2026, 11, 18}, {2026, 11, 18}},  // KMBek 7 July 2015
        {"BE", "Sommerferien 2026", {2026, 7, 9}, {2026, 8, 22}},
        {"BB", "Herbstferien 2026", {2026, 10, 19}, {2026, 10, 30}},
        {"HB", "Osterferien 2026", {2026, 3, 23}, {2026, 4, 7}},
        {"HH", "Frühjahrsferien 2027", {2027, 3, 1}, {2027, 3, 12}},
        {"HE", "Weihnachtsferien 2026/27", {2026, 12, 23}, {2027, 1, 12}},
        {"MV", "Winterferien 2026", {2026, 2, 9}, {2026, 2, 20}},
        {"NI", "Sommerferien 2027", {2027, 7, 8}, {2027, 8, 18}},
        {"NW", "Herbstferien 2026", {2026, 10, 17}, {2026, 10, 31}},  // the NRW ministry's table
        {"RP", "Herbstferien 2026", {2026, 10, 5}, {2026, 10, 16}},
        {"SL", "Osterferien 2026", {2026, 4, 7}, {2026, 4, 17}},
        {"SN", "Herbstferien 2026", {2026, 10, 12}, {2026, 10, 24}},  // and a Saxon school's page
        {"SN", "Pfingstferien 2027", {2027, 5, 15}, {2027, 5, 18}},
        {"ST", "Winterferien 2026", {2026, 1, 31}, {2026, 2, 6}},
        {"SH", "Osterferien 2026", {2026, 3, 26}, {2026, 4, 10}},
        {"TH", "Sommerferien 2026", {2026, 7, 4}, {2026, 8, 14}},
    }));
    INFO(c.state << " " << c.name);
    const auto result = parse_shipped_config("campusdesk.toml", calendar_file(c.state));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& periods = std::get<app_config>(result).calendar.school_holidays;
    const auto it = std::find_if(periods.begin(), periods.end(), [&](const date_range& p) { return p.name == c.name; });
    REQUIRE(it != periods.end());
    CHECK(iso(it->first) == iso(c.first));
    CHECK(iso(it->last) == iso(c.last));
}

TEST_CASE("school days that only one compilation calls holidays are not in the shipped calendars",
          "[config][calendar]") {
    struct school_day {
        const char* state;
        local_date date;
        const char* why;
    };
    const auto c = GENERATE(values<school_day>({
        {"SN", {2027, 5, 10}, "maxleistner joins Himmelfahrt and Pfingsten 2027 into one period"},
        {"NI", {2027, 5, 12}, "the same"},
        {"MV", {2027, 5, 11}, "the same"},
        {"SH", {2026, 2, 2}, "a beweglicher Ferientag, set by each school"},
        {"BB", {2026, 5, 15}, "the Friday after Himmelfahrt, left to the schools"},
        {"MV", {2026, 10, 15}, "amended Herbstferien 2026 in one compilation only"},
    }));
    INFO(c.state << " " << iso(c.date) << ": " << c.why);
    const auto result = parse_shipped_config("campusdesk.toml", calendar_file(c.state));
    REQUIRE(std::holds_alternative<app_config>(result));
    for (const auto& p : std::get<app_config>(result).calendar.school_holidays)
        CHECK_FALSE((p.first <= c.date && c.date <= p.last));
}

TEST_CASE("each state's demo config parses: its schools, districts and calendar", "[config][calendar]") {
    struct demo {
        const char* toml;
        const char* state;
        std::size_t schools, managers;
        const char* holidays;  // a period of the state's school calendar
    };
    const auto d = GENERATE(values<demo>({
        {"demo/sn/campusdesk.toml", "SN", 24, 4, "Herbstferien 2026"},
        {"demo/rp/campusdesk.toml", "RP", 14, 3, "Herbstferien 2026"},
    }));
    INFO(d.toml);
    const auto result = parse_shipped_config(d.toml);
    INFO(errors_text(errors_of(result)));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& c = std::get<app_config>(result);
    CHECK(c.calendar.holiday_state == d.state);
    CHECK(c.schools.size() == d.schools);
    CHECK(c.managers.size() == d.managers);
    std::set<std::string> districts;
    for (const auto& s : c.schools) districts.insert(s.district);
    CHECK(districts.size() == c.districts.size());  // every district listed has a school
    // The state's own calendar file: its periods are those of calendar/<state>.toml.
    const auto own = parse_shipped_config("campusdesk.toml", calendar_file(d.state));
    REQUIRE(std::holds_alternative<app_config>(own));
    const auto& expected = std::get<app_config>(own).calendar.school_holidays;
    REQUIRE(c.calendar.school_holidays.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(c.calendar.school_holidays[i].name == expected[i].name);
        CHECK(c.calendar.school_holidays[i].first == expected[i].first);
        CHECK(c.calendar.school_holidays[i].last == expected[i].last);
    }
    CHECK(std::any_of(expected.begin(), expected.end(), [&](const date_range& p) { return p.name == d.holidays; }));
}

TEST_CASE("[devices]: the problem rule, a city's own format replacing or adding to the built-in ones, the warranty partner",
          "[config]") {
    auto texts = small_config();
    texts.toml += R"(
[[partners]]
id = "vendor"
name = "Händler"
warranty = true
[devices]
problem_tickets = 4
problem_days = 60
default_format = "stadt"
[devices.formats.stadt]
label = "Inventarliste der Stadt"
school_number = "Dienststelle"
serial_number = "Seriennr."
inventory_number = "Inventarnr."
default_kind = "digital_board"
default_owner = "admin"
[devices.formats.jamf_school]
school_number = "Standort"
serial_number = "Seriennummer"
)";
    const auto result = parse_config(texts);
    INFO(errors_text(errors_of(result)));
    REQUIRE(std::holds_alternative<app_config>(result));
    const auto& c = std::get<app_config>(result);
    CHECK(c.devices.problem_tickets == 4);
    CHECK(c.devices.problem_days == 60);
    const auto* stadt = c.devices.find_format("stadt");
    REQUIRE(stadt);
    CHECK(stadt->label == "Inventarliste der Stadt");
    CHECK(stadt->columns.at(device_field::serial) == "Seriennr.");
    CHECK(stadt->default_kind == device_kind::digital_board);
    CHECK(stadt->default_owner == owner_group::admin);
    CHECK(c.devices.find_format("jamf_school")->columns.at(device_field::school) == "Standort");
    CHECK(c.devices.find_format("jamf_school")->columns.size() == 2);  // replaced, not merged
    CHECK(c.devices.find_format("relution"));
    REQUIRE(c.warranty_partner());
    CHECK(c.warranty_partner()->id == "vendor");
    CHECK_FALSE(c.find_partner("carrier")->warranty);

    const std::vector<std::pair<std::string, std::string>> broken{
        {"[devices]\nproblem_tickets = 0\n", "devices.problem_tickets"},
        {"[devices]\ndefault_format = \"nix\"\n", "devices.default_format"},
        {"[devices]\nproblemtickets = 3\n", "devices.problemtickets"},
        {"[devices.formats.x]\nschool_number = \"S\"\n", "devices.formats.x.serial_number"},
        {"[devices.formats.x]\nschool_number = \"S\"\nserial_number = \"N\"\nfarbe = \"F\"\n", "devices.formats.x.farbe"},
        {"[devices.formats.x]\nschool_number = \"S\"\nserial_number = \"N\"\ndefault_kind = \"toaster\"\n",
         "devices.formats.x.default_kind"},
        {"[[partners]]\nid = \"v\"\nname = \"V\"\nwarranty = \"ja\"\n", "partners.warranty"},
    };
    for (const auto& [toml, field] : broken) {
        INFO(toml);
        auto t = small_config();
        t.toml += toml;
        const auto errors = errors_of(parse_config(t));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].field == field);
    }
}
