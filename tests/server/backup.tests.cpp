// Backup and restore (issue 20) with the real binary: a backup taken while tickets are being filed holds every
// ticket acknowledged before it began, and its attachments; the restore verifies it and the restored data
// directory serves the same tickets and files; bad restores are refused with the reason.
#include "tests/server/ticket_helpers.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

const std::string config = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";
const std::string photo = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(5000, 'b');

std::set<std::string> ticket_numbers(const std::filesystem::path& db_file) {
    SQLite::Database db(db_file.string(), SQLite::OPEN_READONLY);
    SQLite::Statement s(db, "SELECT number FROM tickets");
    std::set<std::string> out;
    while (s.executeStep()) out.insert(s.getColumn(0).getString());
    return out;
}

} // namespace

TEST_CASE("a backup under load holds every acknowledged ticket and the attachments; restore brings them back",
          "[server][backup][asan-open-bug]") {
    temp_dir dir;
    const auto data = dir.path / "data";
    const auto backup = dir.path / "nightly.campusdesk-backup";
    std::string with_photo, photo_url;
    std::set<std::string> acknowledged_before;
    {
        server_process server(data);
        client teacher(server.port());
        REQUIRE(teacher.login("teacher-141017").status == 200);
        with_photo = number_of(file_ticket(teacher, "141017"));
        REQUIRE(upload(teacher, with_photo, {{"tafel.png", photo}}).status == 201);
        photo_url = std::string(get_ticket(teacher, with_photo).at("attachments").at(0).at("url").as_string());

        // Teachers keep filing while the backup is taken.
        std::mutex mutex;
        std::set<std::string> acknowledged;
        std::atomic<bool> stop{false};
        std::atomic<int> refused{0};
        std::vector<std::thread> load;
        for (int i = 0; i < 2; ++i)
            load.emplace_back([&] {
                // A lost connection is counted, not thrown: an exception leaving a thread would end the test binary.
                try {
                    client c(server.port());
                    if (c.login("teacher-141017").status != 200) return ++refused, void();
                    while (!stop) {
                        auto r = c.post_json("/api/v1/tickets", ticket_draft_json("141017"));
                        if (r.status != 201) {
                            ++refused;
                            continue;
                        }
                        std::lock_guard lock(mutex);
                        acknowledged.insert(std::string(r.json().at("number").as_string()));
                    }
                } catch (const std::exception&) {
                    ++refused;
                    stop = true;
                }
            });
        auto acknowledged_count = [&] {
            std::lock_guard lock(mutex);
            return acknowledged.size();
        };
        while (acknowledged_count() < 50 && !stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        {
            std::lock_guard lock(mutex);
            acknowledged_before = acknowledged;
        }
        const auto made = run_campusdesk({"backup", "--config", config, "--data", data.string(), "--out", backup.string()});
        INFO(made.out << made.err);
        REQUIRE(made.status == 0);
        CHECK(made.out.find("backup written to " + backup.string()) == 0);
        CHECK(made.out.find("1 attachments (5008 bytes, hashes checked)") != std::string::npos);
        const auto after = acknowledged_count() + 20;
        while (acknowledged_count() < after && !stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        stop = true;
        for (auto& t : load) t.join();
        CHECK(refused == 0);
    }
    CHECK_FALSE(std::filesystem::exists(backup.string() + ".tmp"));

    // Restored into an empty directory: every ticket acknowledged before the backup began is there.
    const auto restored = dir.path / "restored";
    const auto r = run_campusdesk({"restore", "--config", config, "--data", restored.string(), backup.string()});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("integrity ok") != std::string::npos);
    CHECK(r.out.find("1 attachments (5008 bytes, every hash verified)") != std::string::npos);
    const auto numbers = ticket_numbers(restored / "campusdesk.db");
    for (const auto& n : acknowledged_before) CHECK(numbers.contains(n));
    CHECK(numbers.contains(with_photo));
    {
        SQLite::Database db((restored / "campusdesk.db").string(), SQLite::OPEN_READONLY);
        CHECK_FALSE(db.tableExists("backup_attachments"));  // the backup's own table is not restored
    }

    // The restored data directory serves the ticket and its photo, byte for byte.
    {
        server_process server(restored, {});
        client teacher(server.port());
        REQUIRE(teacher.login("teacher-141017").status == 200);
        CHECK(get_ticket(teacher, with_photo).at("attachments").as_array().size() == 1);
        const auto file = teacher.get(photo_url);
        CHECK(file.status == 200);
        CHECK(file.body == photo);
    }

    SECTION("restoring over a data directory that holds a database is refused") {
        const auto again = run_campusdesk({"restore", "--config", config, "--data", restored.string(), backup.string()});
        CHECK(again.status == 1);
        CHECK(again.err.find("already holds a database") != std::string::npos);
    }
    SECTION("a database that is not a backup is refused, and nothing is written") {
        const auto target = dir.path / "other";
        const auto wrong =
            run_campusdesk({"restore", "--config", config, "--data", target.string(), (data / "campusdesk.db").string()});
        CHECK(wrong.status == 1);
        CHECK(wrong.err.find("not a campusdesk backup") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(target / "campusdesk.db"));
    }
    SECTION("a damaged backup is refused") {
        const auto damaged = dir.path / "damaged.backup";
        std::filesystem::copy_file(backup, damaged);
        {
            std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(damaged) / 2));
            f << std::string(8192, '\xAB');
        }
        const auto target = dir.path / "from-damaged";
        const auto bad = run_campusdesk({"restore", "--config", config, "--data", target.string(), damaged.string()});
        CHECK(bad.status == 1);
        CHECK_FALSE(std::filesystem::exists(target / "campusdesk.db"));
    }
    SECTION("a missing file and a missing argument") {
        CHECK(run_campusdesk({"restore", "--config", config, "--data", (dir.path / "x").string(),
                              (dir.path / "nothing").string()})
                  .status == 1);
        CHECK(run_campusdesk({"restore", "--config", config, "--data", (dir.path / "x").string()}).status == 2);
    }
}
