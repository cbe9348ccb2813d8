// Helpers shared by the ticket-action and dispatcher tests: looking up demo managers and schools, filing
// tickets and reading their events through the API.
#pragma once

#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace campusdesk::testing {

// A file of a multipart upload.
struct file_part {
    std::string filename;
    std::string data;
};

inline std::string multipart_body(const std::string& boundary, const std::vector<file_part>& files,
                                  const std::map<std::string, std::string>& fields = {}) {
    std::string body;
    for (const auto& [name, value] : fields)
        body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n", boundary, name, value);
    for (const auto& f : files)
        body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{}\"\r\n"
                            "Content-Type: application/octet-stream\r\n\r\n{}\r\n",
                            boundary, f.filename, f.data);
    return body + "--" + boundary + "--\r\n";
}

// Attaches files to a ticket through the API.
inline response upload(client& c, const std::string& number, const std::vector<file_part>& files) {
    const std::string boundary = "campusdeskTestBoundary42";
    return c.request(http::verb::post, "/api/v1/tickets/" + number + "/attachments", multipart_body(boundary, files),
                     "multipart/form-data; boundary=" + boundary, {{"X-CSRF-Token", c.csrf}});
}

struct manager_info {
    std::int64_t id = 0;
    std::string login;
    std::string name;
    std::vector<std::string> schools;
};

inline manager_info find_manager(client& c, const std::string& login) {
    auto r = c.get("/api/v1/managers");
    REQUIRE(r.status == 200);
    const auto managers = r.json();
    for (const auto& m : managers.as_array()) {
        if (m.at("login").as_string() != login) continue;
        manager_info info{m.at("id").as_int64(), login, std::string(m.at("name").as_string()), {}};
        for (const auto& s : m.at("schools").as_array()) info.schools.emplace_back(s.as_string());
        return info;
    }
    FAIL("no manager " << login);
    return {};
}

inline std::string school_name(client& c, const std::string& number) {
    const auto schools = c.get("/api/v1/schools").json();
    for (const auto& s : schools.as_array())
        if (s.at("number").as_string() == number) return std::string(s.at("name").as_string());
    return {};
}

inline boost::json::object ticket_draft_json(const std::string& school, const std::string& category = "presentation",
                                             const std::string& priority = "normal",
                                             const std::string& title = "Beamer zeigt kein Bild") {
    return {{"school_number", school}, {"category", category}, {"priority", priority}, {"title", title},
            {"description", "Seit heute früh."}, {"room", "B 1.12"}, {"asset_tag", "DO-BM-0042"}};
}

// Files a ticket and returns the created ticket object.
inline boost::json::value file_ticket(client& c, const std::string& school, const std::string& category = "presentation",
                                      const std::string& priority = "normal") {
    auto r = c.post_json("/api/v1/tickets", ticket_draft_json(school, category, priority));
    INFO(r.status << " " << r.body.substr(0, 300));
    REQUIRE(r.status == 201);
    return r.json();
}

inline std::string number_of(const boost::json::value& t) { return std::string(t.at("number").as_string()); }

inline boost::json::value get_ticket(client& c, const std::string& number) {
    auto r = c.get("/api/v1/tickets/" + number);
    INFO(r.status << " " << r.body.substr(0, 300));
    REQUIRE(r.status == 200);
    return r.json();
}

inline std::vector<std::string> event_kinds(const boost::json::value& t) {
    std::vector<std::string> kinds;
    for (const auto& e : t.at("events").as_array()) kinds.emplace_back(e.at("kind").as_string());
    return kinds;
}

inline const boost::json::value& last_event(const boost::json::value& t) { return t.at("events").as_array().back(); }

inline bool list_has(const boost::json::value& list, const std::string& number) {
    for (const auto& t : list.at("tickets").as_array())
        if (t.at("number").as_string() == number) return true;
    return false;
}

// A POST to /api/v1/tickets/{number}/{action}.
inline response act(client& c, const std::string& number, const std::string& action, const boost::json::value& body) {
    return c.post_json("/api/v1/tickets/" + number + "/" + action, body);
}

// ISO 8601 in UTC with milliseconds, `offset_ms` from now.
inline std::string iso_from_now(std::int64_t offset_ms) {
    using namespace std::chrono;
    const auto ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() + offset_ms;
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

inline std::int64_t now_epoch_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace campusdesk::testing
