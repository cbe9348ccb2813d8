// `serve --demo --demo-state SN` (issue 21): the demo of a Saxon school authority, with its own schools and
// calendar, through the real binary.
#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <filesystem>
#include <map>
#include <vector>
#include <string>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

const std::string repo_config = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";
const std::string sn_config = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/demo/sn/campusdesk.toml";

// The schools of the demo of `state` by number, as /api/v1/schools lists them to the admin, after checking that
// `logins` (password "demo") log in; the server runs on `data` and is stopped cleanly.
std::map<std::string, json::object> demo_schools(const std::filesystem::path& data, const std::string& state,
                                                 const std::vector<std::string>& logins) {
    server_process server(data, {"--demo", "--demo-state", state});
    for (const auto& login : logins) {
        INFO(login);
        CHECK(client(server.port()).login(login).status == 200);
    }
    client admin(server.port());
    REQUIRE(admin.login("admin").status == 200);
    std::map<std::string, json::object> schools;
    const auto listed = admin.get("/api/v1/schools").json();
    for (const auto& s : listed.as_array())
        schools[std::string(s.at("number").as_string())] = s.as_object();
    REQUIRE(server.stop() == 0);
    return schools;
}

} // namespace

TEST_CASE("the Saxon demo serves its own schools and skips Buß- und Bettag in SLA clocks", "[server][demo]") {
    temp_dir data;
    // The demo's teachers and managers log in like Dortmund's.
    const auto schools = demo_schools(data.path, "SN", {"teacher-401101", "manager04", "dispatch1"});
    CHECK(schools.size() == 24);
    CHECK_FALSE(schools.contains("141017"));  // a Dortmund school of the default demo
    REQUIRE(schools.contains("401101"));
    CHECK(schools.at("401101").at("name").as_string() == "Grundschule am Sonnenstein");
    CHECK(schools.at("401101").at("district").as_string() == "Pirna");
    CHECK(schools.at("401101").at("kind").as_string() == "Grundschule");

    // A high-priority ticket (first response 240, resolution 1620 business minutes) filed on Tuesday 17 November
    // 2026 at 15:00, the day before Buß- und Bettag, a public holiday in Saxony only. 90 minutes that Tuesday; the
    // Wednesday does not count; the first response is due Thursday 10:00 (in NRW it would be Wednesday 10:00).
    // Resolution: 90 + Thu 540 + Fri 540 + Mon 450 = 1620, due Monday 23 November 15:00 (NRW: Friday 15:00).
    const auto file = data.path / "before-buss-und-bettag.jsonl";
    std::ofstream(file) << json::serialize(json::object{
                               {"number", "CD-2026-900001"},
                               {"school_number", "401101"},
                               {"category", "network"},
                               {"priority", "high"},
                               {"title", "WLAN im Neubau gestört"},
                               {"description", "Seit heute Nachmittag kein WLAN im Neubau."},
                               {"requester_login", "teacher-401101"},
                               {"events", json::array{json::object{{"at", "2026-11-17T15:00:00+01:00"},
                                                                   {"kind", "created"},
                                                                   {"actor_login", "teacher-401101"},
                                                                   {"priority", "high"}}}}})
                        << "\n";
    const auto imported = run_campusdesk({"import", "--config", sn_config, "--data", data.path.string(), file.string()});
    INFO(imported.err);
    REQUIRE(imported.status == 0);

    server_process server(data.path, {"--demo", "--demo-state", "SN"});
    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    const auto ticket = dispatcher.get("/api/v1/tickets/CD-2026-900001");
    REQUIRE(ticket.status == 200);
    const auto sla = ticket.json().at("sla");
    CHECK(sla.at("first_response").at("due_at").as_string() == "2026-11-19T10:00:00+01:00");
    CHECK(sla.at("resolution").at("due_at").as_string() == "2026-11-23T15:00:00+01:00");
}

TEST_CASE("--demo-state names a state with a demo, and only with --demo", "[server][demo][cli]") {
    struct bad {
        std::vector<std::string> args;
        const char* says;
    };
    const auto b = GENERATE(values<bad>({
        {{"--demo-state", "SN"}, "--demo-state needs --demo"},
        {{"--demo", "--demo-state", "XX"}, "unknown German state \"XX\""},
        {{"--demo", "--demo-state", "sn"}, "unknown German state \"sn\""},
        {{"--demo", "--demo-state", "BY"}, "there is no demo for this state"},
        {{"--demo", "--demo-state"}, "--demo-state needs a value"},
    }));
    temp_dir data;
    std::vector<std::string> args{"serve", "--config", repo_config, "--data", data.path.string(), "--listen",
                                  "127.0.0.1:0"};
    args.insert(args.end(), b.args.begin(), b.args.end());
    const auto result = run_campusdesk(args);
    INFO(result.err);
    CHECK(result.status == 2);
    CHECK(result.err.find(b.says) != std::string::npos);
}

TEST_CASE("each state's demo serves its own schools; NW is the default demo", "[server][demo]") {
    struct demo {
        const char* state;
        std::size_t schools;
        const char* school;  // one of them
        const char* district;
    };
    const auto d = GENERATE(values<demo>({
        {"NW", 155, "141017", "Mengede"},
        {"RP", 14, "507101", "Innenstadt"},
    }));
    INFO(d.state);
    temp_dir data;
    const auto schools = demo_schools(data.path, d.state, {"manager01", "teacher-" + std::string(d.school)});
    CHECK(schools.size() == d.schools);
    REQUIRE(schools.contains(d.school));
    CHECK(schools.at(d.school).at("district").as_string() == d.district);
}
