#include "tests/server/test_server.hpp"

#include <fmt/format.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace campusdesk::testing {

namespace net = boost::asio;
namespace beast = boost::beast;

temp_dir::temp_dir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / fmt::format("campusdesk-test-{:x}", rd());
    std::filesystem::create_directories(path);
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

namespace {

std::vector<std::string> base_args(const std::string& command) {
    return {CAMPUSDESK_BINARY, command, "--config", std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml"};
}

std::vector<char*> argv_of(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
}

} // namespace

std::string spawn_announcing(std::vector<std::string> args, int& pid) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    auto argv = argv_of(args);
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (spawned != 0) {
        close(out[0]);
        throw std::runtime_error("could not start " + args.front());
    }
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    return line;
}

server_process::server_process(const std::filesystem::path& data_dir, std::vector<std::string> extra_args) {
    auto args = base_args("serve");
    args.insert(args.end(), {"--data", data_dir.string(), "--listen", "127.0.0.1:0"});
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    // The first line of stdout names the chosen port (API.md).
    const auto line = spawn_announcing(args, pid_);
    const auto colon = line.rfind(':');
    if (!line.starts_with("listening on http://127.0.0.1:") || colon == std::string::npos) {
        kill_hard();
        throw std::runtime_error("server did not start: '" + line + "'");
    }
    port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
}

server_process::~server_process() {
    if (pid_ > 0) stop();
}

int server_process::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void server_process::kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

command_result run_campusdesk(const std::vector<std::string>& extra, const std::string& stdin_text) {
    std::vector<std::string> args{CAMPUSDESK_BINARY};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_program(args, stdin_text);
}

command_result run_program(std::vector<std::string> args, const std::string& stdin_text) {
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    for (int fd : {in[1], out[0], err[0]}) posix_spawn_file_actions_addclose(&actions, fd);
    auto argv = argv_of(args);
    pid_t pid = 0;
    if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("could not start " + args[0]);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (!stdin_text.empty() && write(in[1], stdin_text.data(), stdin_text.size()) < 0) {}
    close(in[1]);
    command_result result;
    auto drain = [](int fd, std::string& into) {
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) into.append(buf, static_cast<std::size_t>(n));
        close(fd);
    };
    std::thread err_reader(drain, err[0], std::ref(result.err));
    drain(out[0], result.out);
    err_reader.join();
    int status = 0;
    waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::filesystem::path write_config(const std::filesystem::path& dir, const std::map<std::string, std::string>& lines) {
    const std::string source_dir = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/";
    std::ifstream in(source_dir + "campusdesk.toml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const char* key : {"schools", "managers", "holidays"}) {
        const auto at = text.find(fmt::format("\n{} = \"", key));
        if (at == std::string::npos) throw std::runtime_error(fmt::format("campusdesk.toml has no {}", key));
        text.insert(at + std::strlen(key) + 5, source_dir);
    }
    for (const auto& [section, added] : lines) {
        const auto header = fmt::format("\n[{}]\n", section);
        const auto at = text.find(header);
        if (at == std::string::npos) {
            text += header + added + "\n";
            continue;
        }
        // A key the section sets already is set again in its place (TOML allows each key once).
        std::istringstream new_lines(added);
        std::string line, prepend;
        while (std::getline(new_lines, line)) {
            const auto section_end = std::min(text.find("\n[", at + 1), text.size());
            const auto key = line.substr(0, line.find(" ="));
            const auto old = text.find("\n" + key + " = ", at);
            if (old != std::string::npos && old < section_end) text.replace(old + 1, text.find('\n', old + 1) - old - 1, line);
            else prepend += line + "\n";
        }
        text.insert(at + header.size(), prepend);
    }
    const auto file = dir / "campusdesk.toml";
    std::ofstream(file) << text;
    return file;
}

std::string response::error_code() const {
    auto v = json();
    return std::string(v.at("error").at("code").as_string());
}

response client::request(http::verb method, const std::string& target, const std::string& body,
                         const std::string& content_type, std::map<std::string, std::string> headers) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, fmt::format("{}:{}", host.empty() ? "127.0.0.1" : host, port_));
    if (!cookies.empty()) {
        std::string cookie;
        for (const auto& [k, v] : cookies) cookie += fmt::format("{}{}={}", cookie.empty() ? "" : "; ", k, v);
        req.set(http::field::cookie, cookie);
    }
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream, buffer, parser);
    auto res = parser.release();
    response r;
    r.status = res.result_int();
    r.body = res.body();
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        r.headers[name] = std::string(field.value());
        if (name == "set-cookie") {
            const std::string value(field.value());
            const auto eq = value.find('=');
            const auto semi = value.find(';');
            const auto cname = value.substr(0, eq);
            const auto cvalue = value.substr(eq + 1, semi - eq - 1);
            if (value.find("Max-Age=0") != std::string::npos || cvalue.empty()) cookies.erase(cname);
            else cookies[cname] = cvalue;
        }
    }
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    return r;
}

response client::post_json(const std::string& target, const boost::json::value& body) {
    return request(http::verb::post, target, boost::json::serialize(body), "application/json",
                   {{"X-CSRF-Token", csrf}});
}

std::string url_encode(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

response client::post_form(const std::string& target, const std::map<std::string, std::string>& fields) {
    std::string body;
    for (const auto& [k, v] : fields) body += fmt::format("{}{}={}", body.empty() ? "" : "&", url_encode(k), url_encode(v));
    return request(http::verb::post, target, body, "application/x-www-form-urlencoded");
}

response client::login(const std::string& login, const std::string& password) {
    auto r = post_json("/api/v1/session", boost::json::object{{"login", login}, {"password", password}});
    if (r.status == 200) csrf = std::string(r.json().at("csrf_token").as_string());
    return r;
}

} // namespace campusdesk::testing
