#include "tests/fuzz/fuzz_app.hpp"

#include "server/accounts/auth.hpp"
#include "server/config_loader.hpp"
#include "server/accounts/credentials.hpp"
#include "server/cli/demo_data.hpp"
#include "server/http/router.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace campusdesk::fuzzing {
namespace {

constexpr time_ms year = 365LL * 24 * 3600 * 1000;

struct account {
    std::string login;
    std::string session, csrf, bearer;
};

std::filesystem::path make_data_dir() {
    // tmpfs when there is one: the writer syncs every commit, which on a disk would make fuzzing slow. tests/fuzz/run
    // names the directory, so that it can remove what a crashed run leaves.
    std::filesystem::path base = std::getenv("CAMPUSDESK_FUZZ_DATA")           ? std::getenv("CAMPUSDESK_FUZZ_DATA")
                                 : std::filesystem::exists("/dev/shm") ? "/dev/shm"
                                                                       : std::filesystem::temp_directory_path();
    auto dir = base / fmt::format("campusdesk-fuzz-{}", ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

struct fixture {
    std::filesystem::path data_dir = make_data_dir();
    std::unique_ptr<app> a;
    std::vector<account> accounts;  // teacher, manager, dispatcher, admin
    net::io_context ioc;
    const net::ip::address peer = net::ip::make_address("127.0.0.1");  // outlives every request's coroutine

    fixture() {
        init_credentials();
        const std::filesystem::path config_file = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";
        auto loaded = load_config(config_file);
        if (!loaded.config) {
            std::fprintf(stderr, "fuzz: config does not load\n");
            std::abort();
        }
        a = std::make_unique<app>(std::move(*loaded.config), data_dir, 2, true);
        a->pages.load(find_templates_dir(config_file));
        load_demo_data(*a);
        for (std::string login : {"teacher-" + a->dir.current().schools.front().number, std::string("manager01"),
                                  std::string("dispatch1"), std::string("admin")})
            accounts.push_back({login, "s-" + login, "c-" + login, "b-" + login});
        restore_sessions();
        a->storage->writer().run([&](SQLite::Database& db) {
            for (const auto& acc : accounts)
                if (auto u = find_user_by_login(db, acc.login))
                    insert_api_token(db, token_digest(acc.bearer), u->id, now_ms(), now_ms() + year, "fuzz");
        });
        std::atexit([] { std::filesystem::remove_all(get().data_dir); });
    }

    // (Again after a fuzzed request logged one out.)
    void restore_sessions() {
        const time_ms now = now_ms();
        a->storage->writer().run([&](SQLite::Database& db) {
            for (const auto& acc : accounts) {
                auto u = find_user_by_login(db, acc.login);
                if (!u) continue;
                delete_session(db, token_digest(acc.session));
                insert_session(db, token_digest(acc.session), u->id, acc.csrf, now, now + year, "fuzz");
            }
        });
    }

    static fixture& get() {
        static fixture f;
        return f;
    }
};

} // namespace

app& the_app() { return *fixture::get().a; }

std::string_view teacher_login() { return fixture::get().accounts.front().login; }

void authenticate_as(identity who, http_request& req) {
    const auto& accounts = fixture::get().accounts;
    auto by_session = [&](const account& acc) {
        if (req.find(http::field::cookie) == req.end()) req.set(http::field::cookie, session_cookie_name(the_app()) + "=" + acc.session);
        if (req.find("X-CSRF-Token") == req.end()) req.set("X-CSRF-Token", acc.csrf);
    };
    auto by_bearer = [&](const account& acc) {
        if (req.find(http::field::authorization) == req.end()) req.set(http::field::authorization, "Bearer " + acc.bearer);
    };
    switch (who) {
    case identity::anonymous: break;
    case identity::teacher: by_session(accounts[0]); break;
    case identity::manager: by_session(accounts[1]); break;
    case identity::dispatcher: by_session(accounts[2]); break;
    case identity::admin_bearer: by_bearer(accounts[3]); break;
    case identity::teacher_bearer: by_bearer(accounts[0]); break;
    case identity::count: break;
    }
}

bool parse_request(std::string_view bytes, http_request& req) {
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    // Fuzz inputs are far below every route's limit (router body_limit_for), which the server checks on the socket.
    parser.body_limit(16 * 1024 * 1024);
    boost::system::error_code ec;
    parser.put(net::buffer(bytes.data(), bytes.size()), ec);
    if (ec || !parser.is_header_done()) return false;
    if (!parser.is_done()) {
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return false;
    }
    req = parser.release();
    return true;
}

http_response run_request(http_request& req) {
    auto& f = fixture::get();
    std::exception_ptr error;
    http_response res;
    bool done = false;
    net::co_spawn(f.ioc, f.a->storage->handle(handle_request(*f.a, req, f.peer, std::chrono::steady_clock::now())),
                  [&](std::exception_ptr e, http_response r) {
                      error = e;
                      res = std::move(r);
                      done = true;
                  });
    f.ioc.restart();
    f.ioc.run();
    if (!done) {
        std::fprintf(stderr, "fuzz: the request never completed\n");
        std::abort();
    }
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "fuzz: exception escaped handle_request: %s\n", e.what());
        } catch (...) {
            std::fprintf(stderr, "fuzz: non-standard exception escaped handle_request\n");
        }
        std::abort();
    }
    const auto code = static_cast<unsigned>(res.result());
    if (code >= 500 && res.result() != http::status::service_unavailable) {
        std::fprintf(stderr, "fuzz: %u for %s %s\n%s\n", code, std::string(req.method_string()).c_str(),
                     std::string(req.target()).c_str(), res.body().c_str());
        std::abort();
    }
    if (res[http::field::set_cookie].find("Max-Age=0") != std::string_view::npos) f.restore_sessions();
    return res;
}

} // namespace campusdesk::fuzzing
