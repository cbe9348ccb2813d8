#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

using std::chrono::steady_clock;

// A connection written byte by byte as a test needs it (slowly, half-open, chunked), read with a timeout.
class raw_connection {
public:
    explicit raw_connection(unsigned short port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        timeval timeout{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    ~raw_connection() { ::close(fd_); }
    raw_connection(const raw_connection&) = delete;

    bool send(std::string_view data) {
        while (!data.empty()) {
            const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    // Reads until the head of a response is complete; its status, or 0 if the connection ended first.
    unsigned read_status(std::chrono::seconds wait = std::chrono::seconds(10)) {
        const auto deadline = steady_clock::now() + wait;
        while (received_.find("\r\n\r\n") == std::string::npos && steady_clock::now() < deadline)
            if (read_some() == 0) break;
        if (!received_.starts_with("HTTP/1.1 ") || received_.size() < 12) return 0;
        return static_cast<unsigned>(std::stoi(received_.substr(9, 3)));
    }
    // Whether the server closes the connection within `wait`.
    bool closed_within(std::chrono::seconds wait) {
        const auto deadline = steady_clock::now() + wait;
        while (steady_clock::now() < deadline)
            if (read_some() == 0) return true;
        return false;
    }
    const std::string& received() const { return received_; }

private:
    // Bytes read; 0 at the end of the connection, -1 when nothing came within a second.
    long read_some() {
        char buffer[4096];
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n > 0) received_.append(buffer, static_cast<std::size_t>(n));
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
        return n < 0 ? 0 : n;
    }

    int fd_ = -1;
    std::string received_;
};

std::string cookie_header(const client& c) {
    std::string cookie;
    for (const auto& [k, v] : c.cookies) cookie += fmt::format("{}{}={}", cookie.empty() ? "" : "; ", k, v);
    return cookie;
}

// Opens /api/v1/live for the client's session and reads the answer's head.
std::unique_ptr<raw_connection> open_live_stream(unsigned short port, const client& c, unsigned& status) {
    auto connection = std::make_unique<raw_connection>(port);
    connection->send(fmt::format("GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                                 "Cookie: {}\r\n\r\n",
                                 cookie_header(c)));
    status = connection->read_status();
    return connection;
}

// CPU time (user + system) the process has used so far.
std::chrono::milliseconds cpu_time(int pid) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i)
        if (i == 14 || i == 15) ticks += std::stol(field);  // utime, stime
    return std::chrono::milliseconds(ticks * 1000 / sysconf(_SC_CLK_TCK));
}

std::size_t open_descriptors(int pid) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(fmt::format("/proc/{}/fd", pid))) ++n;
    return n;
}

const std::string png_bytes = std::string("\x89PNG\r\n\x1A\n", 8);

std::string upload_head(const client& c, const std::string& number, std::size_t length) {
    return fmt::format("POST /api/v1/tickets/{}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {}\r\n"
                       "X-CSRF-Token: {}\r\nContent-Type: multipart/form-data; boundary=slowBoundary\r\n"
                       "Content-Length: {}\r\n\r\n",
                       number, cookie_header(c), c.csrf, length);
}

std::string upload_body(std::size_t photo_size) {
    return "--slowBoundary\r\nContent-Disposition: form-data; name=\"files\"; filename=\"foto.png\"\r\n"
           "Content-Type: image/png\r\n\r\n" +
           png_bytes + std::string(photo_size - png_bytes.size(), 'p') + "\r\n--slowBoundary--\r\n";
}

// Files a ticket as staff, for the first school.
std::string file_ticket(client& c) {
    const auto schools = c.get("/api/v1/schools").json();
    auto created = c.post_json("/api/v1/tickets", json::object{{"school_number", schools.at(0).at("number")},
                                                               {"category", "ipad"}, {"priority", "normal"},
                                                               {"title", "Display gesprungen"}});
    REQUIRE(created.status == 201);
    return std::string(created.json().at("number").as_string());
}

void check_security_headers(const response& r) {
    CHECK(r.headers.at("x-content-type-options") == "nosniff");
    CHECK(r.headers.at("x-frame-options") == "DENY");
    CHECK(r.headers.count("content-security-policy") == 1);
    CHECK(r.headers.at("cache-control") == "no-store");
}

} // namespace

TEST_CASE("one session cannot hold more live-update streams than allowed", "[server][http][live]") {
    temp_dir data;
    server_process server(data.path);
    client admin(server.port());
    REQUIRE(admin.login("admin").status == 200);

    std::vector<std::unique_ptr<raw_connection>> streams;
    for (int i = 0; i < 6; ++i) {
        unsigned status = 0;
        streams.push_back(open_live_stream(server.port(), admin, status));
        REQUIRE(status == 200);
    }
    unsigned status = 0;
    auto seventh = open_live_stream(server.port(), admin, status);
    CHECK(status == 429);
    CHECK(seventh->received().find("too_many_streams") != std::string::npos);
    CHECK(client(server.port()).get("/healthz").status == 200);
    // Another session is not affected.
    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    auto other = open_live_stream(server.port(), dispatcher, status);
    CHECK(status == 200);
}

TEST_CASE("live-update streams are capped in total and end after their lifetime", "[server][http][live]") {
    temp_dir data;
    const auto config = write_config(data.path, {{"limits", "live_streams_total = 3\nlive_stream_seconds = 2"}});
    server_process server(data.path / "db", {"--demo", "--config", config.string()});
    client admin(server.port());
    REQUIRE(admin.login("admin").status == 200);
    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);

    std::vector<std::unique_ptr<raw_connection>> streams;
    unsigned status = 0;
    for (auto* c : {&admin, &admin, &dispatcher}) {
        streams.push_back(open_live_stream(server.port(), *c, status));
        INFO(streams.back()->received());
        REQUIRE(status == 200);
    }
    auto fourth = open_live_stream(server.port(), dispatcher, status);
    CHECK(status == 503);
    CHECK(client(server.port()).get("/healthz").status == 200);
    // Each stream ends by itself; the browser's EventSource then reconnects.
    for (auto& s : streams) CHECK(s->closed_within(std::chrono::seconds(5)));
    auto fresh = open_live_stream(server.port(), dispatcher, status);
    CHECK(status == 200);
}

TEST_CASE("out of file descriptors, the server waits instead of spinning and serves again afterwards",
          "[server][http][emfile]") {
    temp_dir data;
    server_process server(data.path);
    REQUIRE(client(server.port()).get("/healthz").status == 200);
    // Leave the server a handful of descriptors, then offer it more connections than that.
    const auto in_use = open_descriptors(server.pid());
    const rlimit tight{in_use + 4, in_use + 4};
    REQUIRE(prlimit(server.pid(), RLIMIT_NOFILE, &tight, nullptr) == 0);
    std::vector<std::unique_ptr<raw_connection>> idle;
    for (int i = 0; i < 20; ++i) idle.push_back(std::make_unique<raw_connection>(server.port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto before = cpu_time(server.pid());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const auto used = cpu_time(server.pid()) - before;
    CHECK(used < std::chrono::milliseconds(200));  // spinning on accept took more than a second here
    idle.clear();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    CHECK(client(server.port()).get("/healthz").status == 200);
}

TEST_CASE("a request without a session may send only a small body", "[server][http][limits]") {
    temp_dir data;
    server_process server(data.path);
    client anonymous(server.port());
    SECTION("a login-sized body is read") {
        CHECK(anonymous.login("admin").status == 200);
    }
    SECTION("a declared large body is refused before it is read, with the security headers") {
        auto r = anonymous.request(http::verb::post, "/api/v1/session", std::string(20000, 'x'), "application/json");
        CHECK(r.status == 413);
        CHECK(r.error_code() == "too_large");
        check_security_headers(r);
    }
    SECTION("a multipart body to the login is refused at the same size") {
        const std::string body = "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\n\r\n" +
                                 std::string(2 * 1024 * 1024, 'p') + "\r\n--b--\r\n";
        auto r = anonymous.request(http::verb::post, "/api/v1/session", body, "multipart/form-data; boundary=b");
        CHECK(r.status == 413);
    }
    SECTION("a chunked body is cut off at the same size") {
        raw_connection c(server.port());
        c.send("POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n");
        const std::string chunk(4096, 'x');
        for (int i = 0; i < 8 && c.send(fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk)); ++i) {}
        CHECK(c.read_status() == 413);
    }
    SECTION("with a session, a photo larger than that is accepted") {
        REQUIRE(anonymous.login("admin").status == 200);
        const auto number = file_ticket(anonymous);
        raw_connection c(server.port());
        const auto body = upload_body(200 * 1024);
        c.send(upload_head(anonymous, number, body.size()) + body);
        CHECK(c.read_status() == 201);
    }
    SECTION("a forged session cookie does not count as a session") {
        anonymous.cookies["cd_session"] = "forged";
        auto r = anonymous.request(http::verb::post, "/api/v1/tickets", std::string(20000, 'x'), "application/json");
        CHECK(r.status == 413);
    }
}

TEST_CASE("low-level error answers carry the security headers", "[server][http][headers]") {
    temp_dir data;
    server_process server(data.path);
    SECTION("431 header too large") {
        auto r = client(server.port()).request(http::verb::get, "/healthz", {}, {}, {{"X-Filler", std::string(20000, 'h')}});
        CHECK(r.status == 431);
        check_security_headers(r);
    }
    SECTION("400 malformed request") {
        raw_connection c(server.port());
        c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n");
        CHECK(c.read_status() == 400);
        CHECK(c.received().find("X-Content-Type-Options: nosniff") != std::string::npos);
        CHECK(c.received().find("Content-Security-Policy: ") != std::string::npos);
    }
}

TEST_CASE("a slow upload is not cut off while data keeps coming; a trickle is", "[server][http][slow]") {
    temp_dir data;
    server_process server(data.path);
    client teacher(server.port());
    REQUIRE(teacher.login("admin").status == 200);
    const auto number = file_ticket(teacher);
    // About 8 KB/s (a slow school line shared by a class) for 36 s: longer than the 30 s a read may take.
    unsigned slow_status = 0;
    std::thread slow([&] {
        raw_connection c(server.port());
        const auto body = upload_body(36 * 8192);
        c.send(upload_head(teacher, number, body.size()));
        std::string_view rest(body);
        while (!rest.empty()) {
            const auto piece = rest.substr(0, 8192);
            if (!c.send(piece)) break;
            rest.remove_prefix(piece.size());
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
        slow_status = c.read_status();
    });
    // 100 bytes a second is far below the minimum rate: the server ends it soon after the grace period.
    raw_connection trickle(server.port());
    const auto body = upload_body(64 * 1024);
    trickle.send(upload_head(teacher, number, body.size()));
    const auto started = steady_clock::now();
    bool cut_off = false;
    for (std::size_t sent = 0; sent < body.size() && steady_clock::now() - started < std::chrono::seconds(45);
         sent += 100) {
        if (!trickle.send(std::string_view(body).substr(sent, 100))) {
            cut_off = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    CHECK((cut_off || trickle.closed_within(std::chrono::seconds(5))));
    CHECK(trickle.read_status(std::chrono::seconds(1)) != 201);
    slow.join();
    CHECK(slow_status == 201);
    CHECK(teacher.get("/api/v1/tickets/" + number).json().at("attachments").as_array().size() == 1);
}
