#include "server/cli/cli.hpp"
#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

using namespace campusdesk::testing;

namespace {

bool readable_by_others(const std::filesystem::path& file) {
    const auto perms = std::filesystem::status(file).permissions();
    return (perms & std::filesystem::perms::others_all) != std::filesystem::perms::none;
}

} // namespace

TEST_CASE("the database, backups and exports are not readable by other accounts", "[server][cli][files]") {
    // A common shell umask; campusdesk must not depend on it.
    const auto previous = ::umask(022);
    temp_dir data;
    {
        server_process server(data.path);
        client admin(server.port());
        REQUIRE(admin.login("admin").status == 200);
    }
    const std::string config = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";
    const auto backup = data.path / "backup.db";
    const auto export_file = data.path / "sla.csv";
    CHECK(run_campusdesk({"backup", "--config", config, "--data", data.path.string(), "--out", backup.string()}).status == 0);
    CHECK(run_campusdesk({"export-sla", "--config", config, "--data", data.path.string(), "--month", "2026-10",
                          "--format", "csv", "--out", export_file.string()})
              .status == 0);
    ::umask(previous);
    for (const auto& file : {data.path / "campusdesk.db", backup, export_file}) {
        INFO(file.string());
        REQUIRE(std::filesystem::exists(file));
        CHECK_FALSE(readable_by_others(file));
    }
}

TEST_CASE("a database made world-readable by an earlier version is closed at start-up", "[server][cli][files]") {
    temp_dir data;
    { server_process server(data.path); }
    const auto db = data.path / "campusdesk.db";
    std::filesystem::permissions(db, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
    { server_process server(data.path); }
    CHECK_FALSE(readable_by_others(db));
}
