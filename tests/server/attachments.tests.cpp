#include "server/http/multipart.hpp"
#include "tests/server/test_server.hpp"
#include "tests/server/ticket_helpers.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace campusdesk;
using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

const std::string png_bytes = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(200, 'p');
const std::string jpeg_bytes = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(200, 'j');

// Every file under the data directory's attachments (blobs and temporary files).
std::size_t stored_files(const std::filesystem::path& data) {
    std::size_t n = 0;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(data / "attachments", ec), end; !ec && it != end;
         it.increment(ec))
        n += it->is_regular_file() ? 1 : 0;
    return n;
}

// A page form with photos, sent like the browser sends it (multipart, the CSRF token as a field).
response post_page_upload(client& c, const std::string& target, const std::vector<file_part>& files,
                          const std::map<std::string, std::string>& fields) {
    const std::string boundary = "campusdeskPageBoundary7";
    return c.request(http::verb::post, target, multipart_body(boundary, files, fields),
                     "multipart/form-data; boundary=" + boundary);
}

// Files a ticket as the (teacher) client; its number.
std::string file_ticket_titled(client& teacher, const std::string& title) {
    auto created = teacher.post_json("/api/v1/tickets",
                                     json::object{{"category", "ipad"}, {"priority", "normal"}, {"title", title}});
    REQUIRE(created.status == 201);
    return std::string(created.json().at("number").as_string());
}

std::string first_school() {
    auto r = run_campusdesk({"check-config", "--config", std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml"});
    (void)r;
    std::ifstream in(std::string(CAMPUSDESK_SOURCE_DIR) + "/config/schools.csv");
    std::string line;
    std::getline(in, line);
    std::getline(in, line);
    return line.substr(0, line.find(','));
}

} // namespace

TEST_CASE("multipart bodies are split into fields and files, malformed ones refused", "[server][multipart]") {
    CHECK(multipart_boundary("multipart/form-data; boundary=abc") == "abc");
    CHECK(multipart_boundary("multipart/form-data; boundary=\"a b\"") == "a b");
    CHECK_FALSE(multipart_boundary("application/json"));
    CHECK_FALSE(multipart_boundary("multipart/form-data"));
    const auto body = multipart_body("XyZ", {{"foto 1.jpg", jpeg_bytes}}, {{"csrf", "t0k"}});
    auto parts = parse_multipart(body, "XyZ", 10);
    REQUIRE(parts);
    REQUIRE(parts->size() == 2);
    CHECK((*parts)[0].name == "csrf");
    CHECK((*parts)[0].data == "t0k");
    CHECK((*parts)[1].filename == "foto 1.jpg");
    CHECK((*parts)[1].data == jpeg_bytes);
    for (std::string bad : {std::string(""), std::string("--XyZ\r\nno headers"), body.substr(0, body.size() / 2),
                            std::string("--XyZ\r\nContent-Disposition: attachment\r\n\r\nx\r\n--XyZ--")}) {
        CHECK_FALSE(parse_multipart(bad, "XyZ", 10));
    }
    CHECK_FALSE(parse_multipart(body, "XyZ", 1));  // too many parts
}

TEST_CASE("photos are attached, checked by content and shown only to those who may see the ticket", "[server][attachments]") {
    temp_dir data;
    server_process server(data.path);
    const auto school = first_school();
    client teacher(server.port());
    REQUIRE(teacher.login("teacher-" + school).status == 200);
    const auto number = file_ticket_titled(teacher, "Display gesprungen");

    auto ok = upload(teacher, number, {{"display.png", png_bytes}, {"../../etc/passwd.jpg", jpeg_bytes}});
    REQUIRE(ok.status == 201);
    const auto ticket = ok.json();
    const auto& files = ticket.at("attachments").as_array();
    REQUIRE(files.size() == 2);
    CHECK(files[0].at("content_type").as_string() == "image/png");
    CHECK(files[1].at("filename").as_string() == "passwd.jpg");  // no path survives
    const std::string url(files[0].at("url").as_string());

    auto served = teacher.get(url);
    CHECK(served.status == 200);
    CHECK(served.body == png_bytes);
    CHECK(served.headers["content-type"] == "image/png");
    CHECK(served.headers["x-content-type-options"] == "nosniff");
    CHECK(served.headers["content-disposition"].find("display.png") != std::string::npos);
    CHECK(served.headers["cache-control"] == "no-store");  // shared iPads: the next user must not find it

    SECTION("a teacher of another school gets 404 for the file") {
        std::string other;
        {
            client admin(server.port());
            REQUIRE(admin.login("admin").status == 200);
            const auto schools = admin.get("/api/v1/schools").json();
            for (const auto& s : schools.as_array())
                if (s.at("number").as_string() != school) {
                    other = std::string(s.at("number").as_string());
                    break;
                }
        }
        client stranger(server.port());
        REQUIRE(stranger.login("teacher-" + other).status == 200);
        CHECK(stranger.get(url).status == 404);
        CHECK(upload(stranger, number, {{"x.png", png_bytes}}).status == 404);
    }
    SECTION("wrong content is 415 whatever the name says") {
        auto r = upload(teacher, number, {{"foto.jpg", "<html>not a photo</html>"}});
        CHECK(r.status == 415);
        CHECK(r.error_code() == "unsupported_file_type");
    }
    SECTION("more than five files at once is 422") {
        std::vector<file_part> six(6, file_part{"a.png", png_bytes});
        auto r = upload(teacher, number, six);
        CHECK(r.status == 422);
        CHECK(r.error_code() == "too_many_files");
    }
    SECTION("a file over 10 MB is 413") {
        auto r = upload(teacher, number, {{"big.jpg", jpeg_bytes + std::string(10 * 1024 * 1024, 'x')}});
        CHECK(r.status == 413);
    }
    SECTION("a malformed upload is 400, never a crash") {
        auto r = teacher.request(http::verb::post, "/api/v1/tickets/" + number + "/attachments", "--b\r\ngarbage",
                                 "multipart/form-data; boundary=b", {{"X-CSRF-Token", teacher.csrf}});
        CHECK(r.status == 400);
        CHECK(teacher.get("/healthz").status == 200);
    }
    // Nothing refused was attached.
    CHECK(teacher.get("/api/v1/tickets/" + number).json().at("attachments").as_array().size() == 2);
}

TEST_CASE("a refused upload stores nothing", "[server][attachments]") {
    temp_dir data;
    server_process server(data.path);
    const auto school = first_school();
    client teacher(server.port());
    REQUIRE(teacher.login("teacher-" + school).status == 200);
    const auto number = file_ticket_titled(teacher, "Beamer flackert");
    REQUIRE(stored_files(data.path) == 0);

    SECTION("the ticket page's form without its CSRF token") {
        auto r = post_page_upload(teacher, "/tickets/" + number + "/attachments", {{"a.png", png_bytes + "csrf"}}, {});
        CHECK(r.status == 403);
    }
    SECTION("a ticket the uploader may not see") {
        client other(server.port());
        REQUIRE(other.login("dispatch1").status == 200);
        auto hidden = other.post_json("/api/v1/tickets", json::object{{"school_number", school}, {"category", "pc"},
                                                                      {"priority", "low"}, {"title", "Maus fehlt"}});
        REQUIRE(hidden.status == 201);
        auto r = upload(teacher, std::string(hidden.json().at("number").as_string()), {{"b.png", png_bytes + "hidden"}});
        CHECK(r.status == 404);
        auto page = post_page_upload(teacher, "/tickets/" + std::string(hidden.json().at("number").as_string()) +
                                                  "/attachments",
                                     {{"b.png", png_bytes + "hidden page"}}, {{"csrf", teacher.csrf}});
        CHECK(page.status == 404);
    }
    SECTION("a closed ticket") {
        client admin(server.port());
        REQUIRE(admin.login("admin").status == 200);
        REQUIRE(admin.post_json("/api/v1/tickets/" + number + "/status", json::object{{"status", "closed"}}).status ==
                200);
        CHECK(upload(teacher, number, {{"c.png", png_bytes + "closed"}}).status == 409);
    }
    SECTION("a new ticket whose form is invalid") {
        auto r = post_page_upload(teacher, "/tickets", {{"d.png", png_bytes + "new ticket"}},
                                  {{"csrf", teacher.csrf}, {"category", "ipad"}, {"priority", "normal"}, {"title", ""}});
        CHECK(r.status == 422);
        // The page says which files to pick again (a browser cannot be given them back).
        CHECK(r.body.find("Bitte wählen Sie Ihre Dateien noch einmal aus:</strong> d.png") != std::string::npos);
    }
    SECTION("the ticket page's own URL: without CSRF, and to a closed ticket (the page again, marked as an error)") {
        CHECK(post_page_upload(teacher, "/tickets/" + number, {{"e.png", png_bytes + "own url"}}, {}).status == 403);
        client admin(server.port());
        REQUIRE(admin.login("admin").status == 200);
        REQUIRE(admin.post_json("/api/v1/tickets/" + number + "/status", json::object{{"status", "closed"}}).status ==
                200);
        auto r = post_page_upload(teacher, "/tickets/" + number, {{"f.png", png_bytes + "closed page"}},
                                  {{"csrf", teacher.csrf}});
        CHECK(r.status == 409);
        CHECK(r.body.find("<title>Fehler: " + number) != std::string::npos);
        // The upload form is gone from a closed ticket, so the error stands at the top of the page.
        CHECK(r.body.find("<p class=\"error\" role=\"alert\" tabindex=\"-1\" autofocus>") != std::string::npos);
    }
    CHECK(stored_files(data.path) == 0);
}

TEST_CASE("the ticket page uploads at the ticket's own URL", "[server][attachments]") {
    temp_dir data;
    server_process server(data.path);
    client teacher(server.port());
    REQUIRE(teacher.login("teacher-" + first_school()).status == 200);
    const auto number = file_ticket_titled(teacher, "Beamer flackert");
    auto r = post_page_upload(teacher, "/tickets/" + number, {{"foto.png", png_bytes + "page"}}, {{"csrf", teacher.csrf}});
    CHECK(r.status == 303);
    CHECK(r.headers["location"] == "/tickets/" + number + "#dateien");
    CHECK(teacher.get("/api/v1/tickets/" + number).json().at("attachments").as_array().size() == 1);
}

TEST_CASE("files no attachment refers to are removed at start-up once they are an hour old", "[server][attachments]") {
    temp_dir data;
    std::string kept_url;
    {
        server_process server(data.path);
        client teacher(server.port());
        REQUIRE(teacher.login("teacher-" + first_school()).status == 200);
        auto ok = upload(teacher, file_ticket_titled(teacher, "Tablet startet nicht"), {{"kept.png", png_bytes}});
        REQUIRE(ok.status == 201);
        kept_url = std::string(ok.json().at("attachments").at(0).at("url").as_string());
    }
    namespace fs = std::filesystem;
    const auto dir = data.path / "attachments";
    const auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) fs::last_write_time(entry.path(), two_hours_ago);  // the attached one too
    const std::string orphan_name(64, 'a');
    fs::create_directories(dir / "aa");
    const auto old_orphan = dir / "aa" / orphan_name;
    const auto old_temporary = dir / "aa" / (std::string(64, 'b') + ".tmp");
    const auto young_orphan = dir / "aa" / std::string(64, 'c');
    for (const auto& file : {old_orphan, old_temporary, young_orphan}) std::ofstream(file) << "left over";
    fs::last_write_time(old_orphan, two_hours_ago);
    fs::last_write_time(old_temporary, two_hours_ago);

    server_process server(data.path);
    for (int i = 0; i < 50 && (fs::exists(old_orphan) || fs::exists(old_temporary)); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(fs::exists(old_orphan));
    CHECK_FALSE(fs::exists(old_temporary));
    CHECK(fs::exists(young_orphan));  // may belong to an upload about to be recorded
    client teacher(server.port());
    REQUIRE(teacher.login("teacher-" + first_school()).status == 200);
    auto served = teacher.get(kept_url);
    CHECK(served.status == 200);
    CHECK(served.body == png_bytes);
}
