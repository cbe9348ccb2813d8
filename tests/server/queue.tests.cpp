#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

// The first school in schools.csv and its campus manager's login.
std::pair<std::string, std::string> first_school_and_manager() {
    std::ifstream in(std::string(CAMPUSDESK_SOURCE_DIR) + "/config/schools.csv");
    std::string line;
    std::getline(in, line);
    std::getline(in, line);
    return {line.substr(0, line.find(',')), line.substr(line.rfind(',') + 1)};
}

} // namespace

TEST_CASE("the manager queue filters, counts per school and plans a visit", "[server][queue]") {
    temp_dir data;
    server_process server(data.path);
    const auto [school, manager_login] = first_school_and_manager();
    client teacher(server.port());
    REQUIRE(teacher.login("teacher-" + school).status == 200);
    auto created = teacher.post_json("/api/v1/tickets", json::object{{"category", "printer"}, {"priority", "critical"},
                                                                     {"title", "Kopierer Zauberwort kaputt"},
                                                                     {"room", "Raum-Q7"}, {"asset_tag", "DO-KP-777"}});
    REQUIRE(created.status == 201);
    const std::string number(created.json().at("number").as_string());

    client manager(server.port());
    REQUIRE(manager.login(manager_login).status == 200);
    CHECK(manager.get("/queue?q=Zauberwort").body.find(number) != std::string::npos);
    CHECK(manager.get("/queue?q=DO-KP-777").body.find(number) != std::string::npos);
    CHECK(manager.get("/queue?priority=critical&category=printer&school=" + school).body.find(number) != std::string::npos);
    CHECK(manager.get("/queue?priority=low").body.find(number) == std::string::npos);
    CHECK(manager.get("/queue?status=resolved").body.find(number) == std::string::npos);
    CHECK(manager.get("/queue?q=xyzzy-nothing").body.find(number) == std::string::npos);
    // Free text through the API too, with the same visibility.
    auto api = manager.get("/api/v1/tickets?q=Zauberwort").json();
    CHECK(api.at("tickets").as_array().size() == 1);
    client other(server.port());
    REQUIRE(other.login(manager_login == "manager01" ? "manager02" : "manager01").status == 200);
    CHECK(other.get("/api/v1/tickets?q=Zauberwort").json().at("tickets").as_array().empty());
    CHECK(other.get("/queue?q=Zauberwort").body.find(number) == std::string::npos);

    auto queue = manager.get("/queue");
    CHECK(queue.body.find("/queue?school=" + school) != std::string::npos);  // counts per school link

    auto plan = manager.get("/visits?school=" + school);
    REQUIRE(plan.status == 200);
    CHECK(plan.body.find("Raum Raum-Q7") != std::string::npos);
    CHECK(plan.body.find(number) != std::string::npos);
    CHECK(plan.body.find("Toner") != std::string::npos);  // what to bring for a printer
    CHECK(teacher.get("/visits").status == 404);
}
