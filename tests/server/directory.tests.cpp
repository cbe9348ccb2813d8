// The school directory's one source: the config's CSV files. A restart with changed files shows the change:
// a removed school is no longer offered but its tickets keep it, a moved school takes its open tickets along.
#include "tests/server/test_server.hpp"
#include "tests/server/ticket_helpers.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace campusdesk::testing;

namespace {

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The repository's config with its own copies of schools.csv and managers.csv in `dir`.
std::filesystem::path config_with_own_directory(const std::filesystem::path& dir) {
    const std::string source = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/";
    std::filesystem::copy_file(source + "schools.csv", dir / "schools.csv");
    std::filesystem::copy_file(source + "managers.csv", dir / "managers.csv");
    const auto toml = write_config(dir, {});
    auto text = read_text(toml);
    for (const char* name : {"schools.csv", "managers.csv"}) {
        const auto from = fmt::format("\"{}{}\"", source, name);
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), fmt::format("\"{}\"", (dir / name).string()));
    }
    std::ofstream(toml, std::ios::trunc) << text;
    return toml;
}

// schools.csv with `number`'s line removed, or its campus manager changed to `manager`.
void edit_school(const std::filesystem::path& csv, const std::string& number, const std::string& manager) {
    std::istringstream in(read_text(csv));
    std::string out, line;
    bool found = false;
    while (std::getline(in, line)) {
        if (line.starts_with(number + ",")) {
            found = true;
            if (manager.empty()) continue;
            line = line.substr(0, line.rfind(',') + 1) + manager;
        }
        out += line + "\n";
    }
    REQUIRE(found);
    std::ofstream(csv, std::ios::trunc) << out;
}

bool lists_school(client& c, const std::string& number) {
    const auto schools = c.get("/api/v1/schools").json();
    for (const auto& s : schools.as_array())
        if (s.at("number").as_string() == number) return true;
    return false;
}

} // namespace

TEST_CASE("a restart with changed CSV files shows the change: a removed school, a school with a new manager",
          "[server][directory]") {
    temp_dir data;
    const auto toml = config_with_own_directory(data.path);
    const std::vector<std::string> args{"--demo", "--config", toml.string()};
    std::string moved_school, removed_school, open_number, closed_number, removed_number;
    std::int64_t m01_id = 0, m02_id = 0;
    {
        server_process server(data.path / "db", args);
        client desk(server.port());
        REQUIRE(desk.login("dispatch1").status == 200);
        const auto m01 = find_manager(desk, "manager01");
        const auto m02 = find_manager(desk, "manager02");
        m01_id = m01.id;
        m02_id = m02.id;
        REQUIRE(m01.schools.size() >= 2);
        moved_school = m01.schools.front();
        removed_school = m01.schools.back();
        open_number = number_of(file_ticket(desk, moved_school));
        closed_number = number_of(file_ticket(desk, moved_school));
        REQUIRE(act(desk, closed_number, "status", boost::json::object{{"status", "closed"}, {"note", "erledigt"}})
                    .status == 200);
        removed_number = number_of(file_ticket(desk, removed_school));
        CHECK(lists_school(desk, removed_school));
        REQUIRE(server.stop() == 0);
    }
    const auto removed_name = [&] {
        const auto csv = read_text(data.path / "schools.csv");
        const auto at = csv.find("\n" + removed_school + ",");
        REQUIRE(at != std::string::npos);
        const auto start = at + removed_school.size() + 2;
        return csv.substr(start, csv.find(',', start) - start);
    }();
    edit_school(data.path / "schools.csv", moved_school, "manager02");
    edit_school(data.path / "schools.csv", removed_school, "");

    server_process server(data.path / "db", args);
    client desk(server.port());
    REQUIRE(desk.login("dispatch1").status == 200);

    // The moved school is manager02's now, with its open ticket and an event by the system saying so.
    const auto m01 = find_manager(desk, "manager01");
    const auto m02 = find_manager(desk, "manager02");
    CHECK(std::find(m01.schools.begin(), m01.schools.end(), moved_school) == m01.schools.end());
    CHECK(std::find(m02.schools.begin(), m02.schools.end(), moved_school) != m02.schools.end());
    const auto open = get_ticket(desk, open_number);
    CHECK(open.at("assignee").at("id").as_int64() == m02_id);
    const auto& moved = last_event(open);
    CHECK(moved.at("kind").as_string() == "assigned");
    CHECK(moved.at("manager_id").as_int64() == m02_id);
    CHECK(moved.at("actor").at("name").as_string() == "System");
    // The closed ticket keeps its history and its assignee.
    const auto closed = get_ticket(desk, closed_number);
    CHECK(closed.at("assignee").at("id").as_int64() == m01_id);
    CHECK(last_event(closed).at("kind").as_string() == "closed");

    // The removed school is no longer offered, but its ticket still shows it.
    CHECK_FALSE(lists_school(desk, removed_school));
    CHECK(std::find(m01.schools.begin(), m01.schools.end(), removed_school) == m01.schools.end());
    const auto old = get_ticket(desk, removed_number);
    CHECK(old.at("school_number").as_string() == removed_school);
    CHECK(old.at("school_name").as_string() == removed_name);
    CHECK(old.at("assignee").at("id").as_int64() == m01_id);
    const auto refused = desk.post_json("/api/v1/tickets", ticket_draft_json(removed_school));
    CHECK(refused.status == 422);

    // A third start with the same files changes nothing more.
    REQUIRE(server.stop() == 0);
    server_process again(data.path / "db", args);
    client later(again.port());
    REQUIRE(later.login("dispatch1").status == 200);
    CHECK(get_ticket(later, open_number).at("events").as_array().size() == open.at("events").as_array().size());
}
