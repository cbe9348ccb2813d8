// Structured log lines under systemd (issue 20): each JSON line carries its syslog priority for journald when, and
// only when, stderr is the journal stream that $JOURNAL_STREAM names.
#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace campusdesk::testing;

namespace {

// The server's stderr lines, from start-up to the end after SIGTERM (timeout sends it after 3 s).
std::vector<std::string> log_lines(const temp_dir& data, const std::string& journal_stream) {
    const std::string command = journal_stream + " exec timeout -s TERM 3 '" + std::string(CAMPUSDESK_BINARY) +
                                "' serve --config '" + std::string(CAMPUSDESK_SOURCE_DIR) +
                                "/config/campusdesk.toml' --demo --listen 127.0.0.1:0 --data '" + (data.path / "db").string() + "'";
    const auto r = run_program({"/bin/sh", "-c", command});
    std::vector<std::string> lines;
    std::istringstream in(r.err);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

} // namespace

TEST_CASE("log lines carry their syslog priority only when stderr is the journal", "[server][log]") {
    temp_dir data;
    SECTION("stderr is the stream $JOURNAL_STREAM names") {
        // The device and inode of the shell's stderr (the test's pipe), as systemd sets them for a service.
        const auto lines = log_lines(data, "export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2);");
        REQUIRE(lines.size() >= 2);
        for (const auto& line : lines) {
            INFO(line);
            CHECK(line.starts_with("<6>{\"ts\":"));
        }
    }
    SECTION("another stream, or none") {
        for (const std::string env : {"export JOURNAL_STREAM=1:1;", "unset JOURNAL_STREAM;"}) {
            const auto lines = log_lines(data, env);
            REQUIRE(lines.size() >= 2);
            for (const auto& line : lines) {
                INFO(env << line);
                CHECK(line.starts_with("{\"ts\":"));
            }
        }
    }
}
