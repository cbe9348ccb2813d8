// Structured log lines under systemd (issue 20): each JSON line carries its syslog priority for journald when, and
// only when, stderr is the journal stream that $JOURNAL_STREAM names.
#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <csignal>
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

// The sanitizer builds (tests/sanitize/run) leave crashes to the sanitizer, as the binary does.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized_build = true;
#elif defined(__has_feature)
constexpr bool sanitized_build = __has_feature(address_sanitizer) || __has_feature(thread_sanitizer);
#else
constexpr bool sanitized_build = false;
#endif

TEST_CASE("a crash leaves the calls that led to it on stderr, then ends as the signal would", "[server][log]") {
    if (sanitized_build) {
        SUCCEED("left to the sanitizer");
        return;
    }
    temp_dir data;
    const auto signal = GENERATE(as<std::string>{}, "SEGV", "ABRT");
    // The shell reports how the server ended: 128 + the signal, as when the signal's default action ends it.
    const std::string command = "'" + std::string(CAMPUSDESK_BINARY) + "' serve --config '" +
                                std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml' --demo --listen "
                                "127.0.0.1:0 --data '" + (data.path / "db").string() + "' >/dev/null & p=$!; sleep 2; "
                                "kill -" + signal + " $p; wait $p; echo $?";
    const auto r = run_program({"/bin/sh", "-c", command});
    INFO(r.err);
    CHECK(r.out == std::to_string(128 + (signal == "SEGV" ? SIGSEGV : SIGABRT)) + "\n");
    const auto heading = r.err.find("campusdesk: fatal signal, the calls that led to it:\n");
    REQUIRE(heading != std::string::npos);
    // Frames as backtrace_symbols_fd writes them, at least one in the binary itself.
    CHECK(r.err.find("campusdesk(", heading) != std::string::npos);
}
