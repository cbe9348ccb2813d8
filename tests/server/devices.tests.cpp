// Devices over real HTTP (issue 18): the import through the API and the page (all or nothing, re-import, every
// refusal), who sees which devices, tickets linked by a typed inventory number or a device id, the device on the
// ticket page with its warranty and the vendor suggested for escalation, problem devices on the board, the CLI.
#include "tests/server/ticket_helpers.hpp"

#include <fstream>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

const std::string config_file = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";
const std::string header = "school_number,kind,model,serial_number,inventory_number,room,owner_group,purchase_date,"
                           "warranty_end,status\n";

struct scene {
    temp_dir data;
    server_process server{data.path};
    client teacher{server.port()};
    client manager{server.port()};
    client other_manager{server.port()};
    client dispatcher{server.port()};
    std::string school, other_school;

    scene() {
        REQUIRE(dispatcher.login("dispatch1").status == 200);
        const auto m01 = find_manager(dispatcher, "manager01");
        const auto m02 = find_manager(dispatcher, "manager02");
        school = m01.schools.front();
        other_school = m02.schools.front();
        REQUIRE(teacher.login("teacher-" + school).status == 200);
        REQUIRE(manager.login("manager01").status == 200);
        REQUIRE(other_manager.login("manager02").status == 200);
    }

    // Two devices of `school` (one in warranty for years), one of `other_school`.
    std::string inventory() const {
        return header + school + ",ipad,iPad (9th generation),TESTIPAD0001,T-IP-0001,B 2.03,pupils,2025-08-01,2040-07-31,in_use\n" +
               school + ",Digitale Tafel,SMART Board MX,TESTBOARD001,T-DT-0001,A 1.04,Lehrkräfte,15.08.2019,14.08.2024,\n" +
               other_school + ",printer,HP LaserJet,TESTPRINT001,T-DR-0001,Sekretariat,admin,,,in_use\n";
    }
};

response import_csv(client& c, const std::string& csv, const std::string& query = "") {
    return c.request(http::verb::post, "/api/v1/devices/import" + query, csv, "text/csv", {{"X-CSRF-Token", c.csrf}});
}

json::value device_by_serial(client& c, const std::string& serial) {
    auto r = c.get("/api/v1/devices?q=" + serial);
    REQUIRE(r.status == 200);
    const auto list = r.json().at("devices").as_array();
    REQUIRE(list.size() == 1);
    return list[0];
}

std::string id_of(const json::value& d) { return std::to_string(d.at("id").as_int64()); }

response post_page_import(client& c, const std::string& csv, const std::map<std::string, std::string>& fields) {
    const std::string boundary = "campusdeskDeviceBoundary";
    std::string body;
    for (const auto& [name, value] : fields)
        body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n", boundary, name, value);
    body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"geraete.csv\"\r\n"
                        "Content-Type: text/csv\r\n\r\n{}\r\n--{}--\r\n",
                        boundary, csv, boundary);
    return c.request(http::verb::post, "/geraete/import", body, "multipart/form-data; boundary=" + boundary);
}

} // namespace

TEST_CASE("the API imports all or nothing and re-imports by serial, retiring what is gone", "[devices][import]") {
    scene s;
    // A dry run plans (the demo's devices of both schools would be retired) and writes nothing.
    auto dry = import_csv(s.dispatcher, s.inventory(), "?dry_run=1");
    INFO(dry.body);
    REQUIRE(dry.status == 200);
    CHECK(dry.json().at("added").as_int64() == 3);
    CHECK(dry.json().at("retired").as_int64() > 0);
    CHECK(s.dispatcher.get("/api/v1/devices?q=TESTIPAD0001").json().at("total").as_int64() == 0);

    auto first = import_csv(s.dispatcher, s.inventory());
    REQUIRE(first.status == 200);
    CHECK(first.json().at("added").as_int64() == 3);
    const auto retired_by_first = first.json().at("retired").as_int64();
    CHECK(retired_by_first == static_cast<std::int64_t>(first.json().at("retired_devices").as_array().size()));
    const auto ipad = device_by_serial(s.dispatcher, "TESTIPAD0001");
    CHECK(ipad.at("warranty").at("state").as_string() == "active");
    CHECK(ipad.at("purchase_date").as_string() == "2025-08-01");
    CHECK(device_by_serial(s.dispatcher, "TESTBOARD001").at("warranty").at("state").as_string() == "expired");

    // The same file again: nothing changes. Without the printer: it is retired, not deleted.
    auto same = import_csv(s.dispatcher, s.inventory());
    CHECK(same.json().at("unchanged").as_int64() == 3);
    CHECK(same.json().at("retired").as_int64() == 0);
    std::string without_printer = s.inventory();
    without_printer = without_printer.substr(0, without_printer.find(s.other_school + ",printer"));
    without_printer += s.other_school + ",ipad,iPad,TESTIPAD0002,T-IP-0002,,,,,\n";
    auto again = import_csv(s.dispatcher, without_printer);
    REQUIRE(again.status == 200);
    CHECK(again.json().at("added").as_int64() == 1);
    CHECK(again.json().at("retired").as_int64() == 1);
    CHECK(again.json().at("retired_devices").at(0).at("serial_number").as_string() == "TESTPRINT001");
    CHECK(device_by_serial(s.dispatcher, "TESTPRINT001").at("status").as_string() == "retired");

    // Every bad file is refused as a whole, with line and column.
    const std::vector<std::tuple<std::string, unsigned, std::string, std::string>> bad{
        {header + s.school + ",ipad,iPad,NEWONE1,,,,,,\n" + s.school + ",toaster,x,NEWONE2,,,,,,\n", 422, "invalid_csv", "kind"},
        {header + "999999,ipad,iPad,NEWONE1,,,,,,\n", 422, "invalid_csv", "school_number"},
        {header + s.school + ",ipad,iPad,,,,,,,\n", 422, "invalid_csv", "serial_number"},
        {header + s.school + ",ipad,iPad,NEWONE1,,,,31.02.2026,,\n", 422, "invalid_csv", "purchase_date"},
        {"Serial;Name\nA;B\n", 422, "invalid_csv", ""},
        {"", 422, "invalid_csv", ""},
    };
    for (const auto& [csv, status, code, column] : bad) {
        INFO(csv);
        auto r = import_csv(s.dispatcher, csv);
        CHECK(r.status == status);
        CHECK(r.error_code() == code);
        const auto body = r.json();  // kept: the errors below refer into it
        const auto& errors = body.at("error").at("errors").as_array();
        REQUIRE(!errors.empty());
        if (!column.empty()) CHECK(errors.back().at("column").as_string() == column);
        CHECK(std::string(r.json().at("error").at("message").as_string()).starts_with("Nichts importiert"));
    }
    CHECK(s.dispatcher.get("/api/v1/devices?q=NEWONE1").json().at("total").as_int64() == 0);
    CHECK(import_csv(s.dispatcher, s.inventory(), "?format=excel").error_code() == "unknown_format");
    CHECK(import_csv(s.dispatcher, s.inventory(), "?dry_run=vielleicht").status == 422);
    CHECK(s.dispatcher.request(http::verb::post, "/api/v1/devices/import", s.inventory(), "application/json",
                               {{"X-CSRF-Token", s.dispatcher.csrf}}).status == 415);
    CHECK(import_csv(s.teacher, s.inventory()).status == 403);
    CHECK(import_csv(s.manager, s.inventory()).status == 403);
    // Without the CSRF header: refused before anything is read.
    CHECK(s.dispatcher.request(http::verb::post, "/api/v1/devices/import", s.inventory(), "text/csv").status == 403);
    // A Jamf School export with semicolons.
    auto jamf = import_csv(s.dispatcher, "Name;Serial Number;Model;Asset Tag;Location\nKoffer 1;JAMF0001;iPad (10th generation);J-1;" +
                                             s.other_school + " Realschule\n", "?format=jamf_school&dry_run=1");
    INFO(jamf.body);
    CHECK(jamf.status == 200);
    CHECK(jamf.json().at("added").as_int64() == 1);
}

TEST_CASE("a teacher sees their school's devices, a manager their schools', the help desk all", "[devices][visibility]") {
    scene s;
    REQUIRE(import_csv(s.dispatcher, s.inventory()).status == 200);
    const auto printer = device_by_serial(s.dispatcher, "TESTPRINT001");
    const auto ipad = device_by_serial(s.dispatcher, "TESTIPAD0001");
    auto mine = s.teacher.get("/api/v1/devices?limit=500").json();
    CHECK(mine.at("total").as_int64() > 0);
    for (const auto& d : mine.at("devices").as_array()) CHECK(d.at("school_number").as_string() == s.school);
    CHECK(s.teacher.get("/api/v1/devices?school=" + s.other_school).json().at("total").as_int64() == 0);
    CHECK(s.teacher.get("/api/v1/devices/" + id_of(printer)).status == 404);
    CHECK(s.teacher.get("/api/v1/devices/" + id_of(ipad)).status == 200);
    CHECK(s.manager.get("/api/v1/devices/" + id_of(printer)).status == 404);
    CHECK(s.other_manager.get("/api/v1/devices/" + id_of(printer)).status == 200);
    CHECK(s.other_manager.get("/api/v1/devices/" + id_of(ipad)).status == 404);
    CHECK(s.dispatcher.get("/api/v1/devices/" + id_of(ipad)).status == 200);
    CHECK(s.dispatcher.get("/api/v1/devices/999999999").status == 404);
    CHECK(s.dispatcher.get("/api/v1/devices/abc").status == 404);
    CHECK(s.dispatcher.get("/api/v1/devices?kind=toaster").error_code() == "invalid_query");
    CHECK(s.dispatcher.get("/api/v1/devices?limit=0").status == 422);
    CHECK(s.dispatcher.get("/api/v1/devices?farbe=rot").status == 422);
    // Pages: the same rules.
    CHECK(s.teacher.get("/geraete/" + id_of(printer)).status == 404);
    auto page = s.teacher.get("/geraete/" + id_of(ipad));
    CHECK(page.status == 200);
    CHECK(page.body.find("T-IP-0001") != std::string::npos);
    CHECK(page.body.find("Garantie bis 31.07.2040") != std::string::npos);
    CHECK(s.manager.get("/geraete?schule=" + s.other_school).body.find("TESTPRINT001") == std::string::npos);
    CHECK(s.dispatcher.get("/geraete?schule=" + s.other_school).body.find("TESTPRINT001") != std::string::npos);
    CHECK(s.dispatcher.get("/geraete?art=toaster").status == 400);
    CHECK(s.teacher.get("/geraete/import").status == 403);
    CHECK(s.dispatcher.get("/geraete/import").status == 200);
}

TEST_CASE("a ticket names its device by a typed inventory number, a serial or an id; the ticket page shows it",
          "[devices][tickets]") {
    scene s;
    REQUIRE(import_csv(s.dispatcher, s.inventory()).status == 200);
    const auto ipad = device_by_serial(s.dispatcher, "TESTIPAD0001");
    const auto printer = device_by_serial(s.dispatcher, "TESTPRINT001");

    // The form offers the school's devices in a datalist (no JavaScript needed).
    const auto form = s.teacher.get("/tickets/new");
    CHECK(form.body.find("<datalist id=\"geraete-liste\">") != std::string::npos);
    CHECK(form.body.find("value=\"T-IP-0001\"") != std::string::npos);
    CHECK(form.body.find("T-DR-0001") == std::string::npos);  // another school's

    // API: a typed inventory number links; a serial in any case too; free text stays free text.
    auto draft = ticket_draft_json(s.school, "ipad", "normal", "iPad lädt nicht");
    draft["asset_tag"] = " T-IP-0001 ";
    const auto first = number_of(s.teacher.post_json("/api/v1/tickets", draft).json());
    auto linked = s.teacher.get("/api/v1/tickets/" + first + "/device");
    INFO(linked.body);
    REQUIRE(linked.status == 200);
    CHECK(linked.json().at("serial_number").as_string() == "TESTIPAD0001");
    draft["asset_tag"] = "testipad0001";
    const auto second = number_of(s.teacher.post_json("/api/v1/tickets", draft).json());
    CHECK(s.teacher.get("/api/v1/tickets/" + second + "/device").status == 200);
    draft["asset_tag"] = "T-DR-0001";  // another school's number: not linked, kept as text
    const auto third = number_of(s.teacher.post_json("/api/v1/tickets", draft).json());
    CHECK(s.teacher.get("/api/v1/tickets/" + third + "/device").error_code() == "no_device");
    CHECK(get_ticket(s.teacher, third).at("asset_tag").as_string() == "T-DR-0001");

    // device_id: of the ticket's school only; a wrong type is named.
    draft.erase("asset_tag");
    draft["device_id"] = printer.at("id").as_int64();
    auto refused = s.teacher.post_json("/api/v1/tickets", draft);
    CHECK(refused.status == 422);
    CHECK(refused.error_code() == "unknown_device");
    CHECK(refused.json().at("error").at("field").as_string() == "device_id");
    draft["device_id"] = "T-IP-0001";
    CHECK(s.teacher.post_json("/api/v1/tickets", draft).error_code() == "invalid_type");
    draft["device_id"] = ipad.at("id").as_int64();
    auto by_id = s.teacher.post_json("/api/v1/tickets", draft);
    REQUIRE(by_id.status == 201);
    CHECK(by_id.json().at("asset_tag").as_string() == "T-IP-0001");  // the label filled in

    // The form as a browser sends it.
    auto filed = s.teacher.post_form("/tickets", {{"csrf", s.teacher.csrf}, {"category", "ipad"}, {"priority", "normal"},
                                                  {"title", "Display gesprungen"}, {"asset_tag", "T-IP-0001"}});
    REQUIRE(filed.status == 303);
    const auto page_number = filed.headers["location"].substr(9, filed.headers["location"].find('?') - 9);

    // Four tickets on the iPad now: the device page and the API list them, it is a problem device.
    const auto view = s.manager.get("/api/v1/devices/" + id_of(ipad)).json();
    CHECK(view.at("tickets").as_array().size() == 4);
    CHECK(view.at("problem_device").as_bool());
    bool listed = false;
    const auto problems = s.dispatcher.get("/api/v1/devices/problems").json();
    for (const auto& p : problems.at("devices").as_array())
        listed = listed || p.at("serial_number").as_string() == "TESTIPAD0001";
    CHECK(listed);
    CHECK(s.dispatcher.get("/dispatch").body.find("T-IP-0001") != std::string::npos);
    CHECK(s.manager.get("/visits?school=" + s.school).body.find("T-IP-0001") != std::string::npos);
    const auto rates = s.manager.get("/api/v1/devices/rates").json();
    CHECK(rates.at("kinds").as_array().size() > 0);

    // The ticket page: the device, its warranty, the earlier tickets; the vendor is suggested for escalation.
    const auto ticket_page = s.manager.get("/tickets/" + page_number);
    REQUIRE(ticket_page.status == 200);
    CHECK(ticket_page.body.find("Gerät: <a href=\"/geraete/" + id_of(ipad)) != std::string::npos);
    CHECK(ticket_page.body.find("Garantie bis 31.07.2040") != std::string::npos);
    CHECK(ticket_page.body.find(first) != std::string::npos);
    CHECK(ticket_page.body.find("<option value=\"device_vendor\" selected>") != std::string::npos);
    // Out of warranty: no suggestion.
    auto board_draft = ticket_draft_json(s.school, "presentation", "normal", "Tafel reagiert nicht");
    board_draft["asset_tag"] = "T-DT-0001";
    const auto board_ticket = number_of(s.teacher.post_json("/api/v1/tickets", board_draft).json());
    const auto board_page = s.manager.get("/tickets/" + board_ticket);
    CHECK(board_page.body.find("Garantie abgelaufen am 14.08.2024") != std::string::npos);
    CHECK(board_page.body.find("<option value=\"device_vendor\" selected>") == std::string::npos);
}

TEST_CASE("the help desk's import page reports errors per line and the result of an import", "[devices][pages]") {
    scene s;
    auto broken = post_page_import(s.dispatcher, header + s.school + ",ipad,iPad,,X,,,,,\n",
                                   {{"csrf", s.dispatcher.csrf}, {"format", "campusdesk"}});
    CHECK(broken.status == 422);
    CHECK(broken.body.find("Zeile 2, Spalte „serial_number“: Die Seriennummer fehlt.") != std::string::npos);
    CHECK(broken.body.find("Nichts importiert") != std::string::npos);
    auto done = post_page_import(s.dispatcher, s.inventory(), {{"csrf", s.dispatcher.csrf}, {"format", "campusdesk"}});
    CHECK(done.status == 200);
    CHECK(done.body.find("3 neu") != std::string::npos);
    CHECK(done.body.find("Ausgemustert") != std::string::npos);
    CHECK(post_page_import(s.dispatcher, s.inventory(), {{"csrf", "falsch"}}).status == 403);
    CHECK(post_page_import(s.teacher, s.inventory(), {{"csrf", s.teacher.csrf}}).status == 403);
    CHECK(post_page_import(s.dispatcher, "", {{"csrf", s.dispatcher.csrf}}).status == 422);
    CHECK(post_page_import(s.dispatcher, s.inventory(), {{"csrf", s.dispatcher.csrf}, {"format", "nix"}}).status == 422);
}

TEST_CASE("the command line imports, reports retired devices and refuses a bad file with every error",
          "[devices][cli]") {
    temp_dir data;
    temp_dir files;
    const auto csv = files.path / "geraete.csv";
    std::ofstream(csv) << header << "141017,ipad,iPad,CLI0001,C-1,,,,,\n141017,ipad,iPad,CLI0002,C-2,,,,,\n";
    auto first = run_campusdesk({"devices", "import", "--config", config_file, "--data", data.path.string(), csv.string()});
    INFO(first.err);
    REQUIRE(first.status == 0);
    CHECK(first.out.find("imported 2 devices") != std::string::npos);
    std::ofstream(csv) << header << "141017,ipad,iPad,CLI0001,C-1,,,,,\n";
    auto second = run_campusdesk({"devices", "import", "--config", config_file, "--data", data.path.string(), csv.string()});
    CHECK(second.out.find("1 retired") != std::string::npos);
    CHECK(second.out.find("retired ipad: school 141017, serial CLI0002") != std::string::npos);
    std::ofstream(csv) << header << "141017,ipad,iPad,,C-1,,,,,\n999999,ipad,iPad,X,,,,,,\n";
    auto bad = run_campusdesk({"devices", "import", "--config", config_file, "--data", data.path.string(), csv.string()});
    CHECK(bad.status == 2);
    CHECK(bad.err.find("Zeile 2, Spalte „serial_number“") != std::string::npos);
    CHECK(bad.err.find("Zeile 3, Spalte „school_number“") != std::string::npos);
    CHECK(bad.err.find("2 errors, nothing imported") != std::string::npos);
    auto unknown = run_campusdesk({"devices", "import", "--format", "excel", "--config", config_file, "--data",
                                   data.path.string(), csv.string()});
    CHECK(unknown.status == 2);
    CHECK(unknown.err.find("unknown format excel") != std::string::npos);
}
