#include "server/auth.hpp"

#include "server/credentials.hpp"

#include <fmt/format.h>

namespace campusdesk {

std::string cookie_value(const http_request& req, std::string_view name) {
    for (auto it = req.find(http::field::cookie); it != req.end() && it->name() == http::field::cookie; ++it) {
        std::string_view header = it->value();
        while (!header.empty()) {
            auto end = header.find(';');
            auto pair = header.substr(0, end);
            while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
            auto eq = pair.find('=');
            if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
            if (end == std::string_view::npos) break;
            header.remove_prefix(end + 1);
        }
    }
    return {};
}

net::awaitable<auth_state> authenticate(app& a, const http_request& req) {
    auth_state state;
    std::string_view authorization = req[http::field::authorization];
    if (authorization.starts_with("Bearer ")) {
        auto digest = token_digest(authorization.substr(7));
        state.who = co_await a.storage->read([&](SQLite::Database& db) {
            return find_user_by_api_token(db, digest);
        });
        state.via_bearer = state.who.has_value();
        co_return state;
    }
    auto token = cookie_value(req, session_cookie_name);
    if (token.empty()) co_return state;
    state.session_digest = token_digest(token);
    const time_ms now = now_ms();
    auto session = co_await a.storage->read([&](SQLite::Database& db) {
        return find_session(db, state.session_digest, now);
    });
    if (session) {
        state.who = session->who;
        state.csrf_token = session->csrf_token;
    }
    co_return state;
}

bool csrf_ok(const auth_state& auth, std::string_view presented) {
    if (auth.via_bearer) return true;
    return !auth.csrf_token.empty() && constant_time_equal(auth.csrf_token, presented);
}

net::awaitable<std::variant<login_success, login_failure>> log_in(app& a, std::string login, std::string password) {
    const time_ms now = now_ms();
    if (!a.throttle.allowed(login, now)) co_return login_failure::throttled;
    auto found = co_await a.storage->read([&](SQLite::Database& db) { return find_user_by_login(db, login); });
    const bool usable = found && !found->disabled && !found->password_hash.empty();
    const std::string hash = usable ? found->password_hash : std::string();
    const bool verified = co_await a.storage->compute([&] {
        // Hash even for unknown logins, so the answer time does not tell which logins exist.
        static const std::string dummy_hash = hash_password("campusdesk-timing-equaliser");
        return verify_password(hash.empty() ? dummy_hash : hash, password);
    });
    if (!verified || !usable) {
        a.throttle.failed(login, now);
        co_return login_failure::invalid;
    }
    a.throttle.succeeded(login);
    login_success success{*found, random_token(), random_token()};
    const std::string digest = token_digest(success.session_token);
    co_await a.storage->write([&](SQLite::Database& db) {
        delete_expired_sessions(db, now);
        insert_session(db, digest, found->id, success.csrf_token, now, now + session_lifetime);
    });
    co_return success;
}

net::awaitable<void> log_out(app& a, const auth_state& auth) {
    if (auth.session_digest.empty()) co_return;
    co_await a.storage->write([&](SQLite::Database& db) { delete_session(db, auth.session_digest); });
}

std::string session_cookie(const std::string& token) {
    return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}", session_cookie_name, token,
                       session_lifetime / 1000);
}

std::string expired_session_cookie() {
    return fmt::format("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0", session_cookie_name);
}

} // namespace campusdesk
