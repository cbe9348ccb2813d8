// Test support: starts the real campusdesk binary on a loopback port and talks HTTP to it with Beast.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace campusdesk::testing {

namespace http = boost::beast::http;

// A temporary directory removed at the end of the test.
struct temp_dir {
    temp_dir();
    ~temp_dir();
    std::filesystem::path path;
};

// Runs `campusdesk serve --listen 127.0.0.1:0 --data DIR [args]` and stops it with SIGTERM at the end.
// Starts a program (args[0] is its path) with stdout on a pipe and returns the first line it prints (a server's
// "listening on …"); its process id goes to `pid`. Throws if it cannot be started.
std::string spawn_announcing(std::vector<std::string> args, int& pid);

class server_process {
public:
    explicit server_process(const std::filesystem::path& data_dir, std::vector<std::string> extra_args = {"--demo"});
    ~server_process();
    server_process(const server_process&) = delete;

    unsigned short port() const { return port_; }
    int pid() const { return pid_; }
    // Sends SIGTERM and returns the exit status.
    int stop();
    // Kills without warning (crash simulation).
    void kill_hard();

private:
    int pid_ = -1;
    unsigned short port_ = 0;
};

// The repository's campusdesk.toml with `lines` added at the start of each named section (appended as a new
// section if the file has none), written into `dir`; the schools, managers and holidays stay the repository's.
std::filesystem::path write_config(const std::filesystem::path& dir, const std::map<std::string, std::string>& lines);

// Runs the campusdesk binary to completion: exit status and the captured stdout/stderr.
struct command_result {
    int status = -1;
    std::string out;
    std::string err;
};
command_result run_campusdesk(const std::vector<std::string>& args, const std::string& stdin_text = {});
// Runs any program (found on PATH) to completion.
command_result run_program(std::vector<std::string> args, const std::string& stdin_text = {});

struct response {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names; last value wins
    boost::json::value json() const { return boost::json::parse(body); }
    std::string error_code() const;
};

// One user's browser or script: keeps the session cookie and the CSRF token.
class client {
public:
    explicit client(unsigned short port) : port_(port) {}
    // A client of a provider's tenant (docs/tenants.md): every request names `host` in its Host header.
    client(unsigned short port, std::string host_name) : host(std::move(host_name)), port_(port) {}

    response request(http::verb method, const std::string& target, const std::string& body = {},
                     const std::string& content_type = {}, std::map<std::string, std::string> headers = {});
    response get(const std::string& target) { return request(http::verb::get, target); }
    // JSON with the CSRF header of the session.
    response post_json(const std::string& target, const boost::json::value& body);
    response post_form(const std::string& target, const std::map<std::string, std::string>& fields);

    // Logs in through the API and keeps the session; returns the response.
    response login(const std::string& login, const std::string& password = "demo");

    std::string host;  // empty: 127.0.0.1
    std::string csrf;
    std::map<std::string, std::string> cookies;

private:
    unsigned short port_;
};

std::string url_encode(const std::string& text);

} // namespace campusdesk::testing
