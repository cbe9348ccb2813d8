#include "server/accounts/auth.hpp"

#include "server/accounts/credentials.hpp"
#include "server/http/log.hpp"
#include "storage/sso_repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace campusdesk {
namespace {

constexpr time_ms device_cookie_lifetime = 400LL * 24 * 3600 * 1000;  // browsers cap cookies at 400 days

std::string cookie_name(const app& a, std::string_view base) {
    return a.config.served_over_https() ? fmt::format("__Host-{}", base) : std::string(base);
}

// Path=/ for all: `__Host-` cookies require it.
std::string cookie(const app& a, std::string_view base, std::string_view value, time_ms max_age, std::string_view same_site) {
    return fmt::format("{}={}; Path=/; HttpOnly; SameSite={}; Max-Age={}{}", cookie_name(a, base), value, same_site,
                       max_age / 1000, a.config.served_over_https() ? "; Secure" : "");
}

// Records a session's or token's last use later, on the writer: the request does not wait for it.
net::awaitable<void> record_last_use(app& a, std::string digest, bool api_token, time_ms now) {
    try {
        co_await a.storage->write([&](SQLite::Database& db) {
            if (api_token) touch_api_token(db, digest, now);
            else touch_session(db, digest, now);
        });
    } catch (const std::exception& e) {
        log_line(log_level::warning, "could not record the last use of a session", {{"error", e.what()}});
    }
}

net::awaitable<void> end_session_later(app& a, std::string digest) {
    try {
        co_await a.storage->write([&](SQLite::Database& db) { delete_session(db, digest); });
    } catch (const std::exception& e) {
        log_line(log_level::warning, "could not remove an idle session", {{"error", e.what()}});
    }
}

std::string shortened(std::string_view text, std::size_t max) {
    std::string out(text.substr(0, max));
    // Never cut a UTF-8 sequence in two.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    return out;
}

} // namespace

cookie_lookup find_cookie(const http_request& req, std::string_view name) {
    cookie_lookup found;
    for (auto it = req.find(http::field::cookie); it != req.end() && it->name() == http::field::cookie; ++it) {
        std::string_view header = it->value();
        while (!header.empty()) {
            auto end = header.find(';');
            auto pair = header.substr(0, end);
            while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
            auto eq = pair.find('=');
            if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
                if (found.count++ == 0) found.value = std::string(pair.substr(eq + 1));
            }
            if (end == std::string_view::npos) break;
            header.remove_prefix(end + 1);
        }
    }
    return found;
}

std::string session_cookie_name(const app& a) { return cookie_name(a, "cd_session"); }
std::string login_csrf_cookie_name(const app& a) { return cookie_name(a, "cd_login"); }
std::string device_cookie_name(const app& a) { return cookie_name(a, "cd_device"); }
std::string sso_cookie_name(const app& a) { return cookie_name(a, "cd_sso"); }
std::string sso_cookie(const app& a, const std::string& token) {
    return cookie(a, "cd_sso", token, static_cast<time_ms>(a.config.oidc.login_timeout_seconds) * 1000, "Lax");
}

std::string session_cookie(const app& a, const std::string& token, role who) {
    return cookie(a, "cd_session", token, a.config.sessions.for_role(who).lifetime, "Lax");
}
std::string expired_session_cookie(const app& a) { return cookie(a, "cd_session", "", 0, "Lax"); }
std::string login_csrf_cookie(const app& a, const std::string& token) {
    return cookie(a, "cd_login", token, 3600 * 1000, "Strict");
}
std::string device_cookie(const app& a, const std::string& token) {
    return cookie(a, "cd_device", token, device_cookie_lifetime, "Strict");
}

language page_language(const http_request& req, const std::optional<user>& who) {
    return choose_language(who ? who->lang : std::nullopt, req[http::field::accept_language]);
}

net::awaitable<auth_state> authenticate(app& a, const http_request& req) {
    auth_state state;
    const time_ms now = now_ms();
    std::string_view authorization = req[http::field::authorization];
    if (authorization.starts_with("Bearer ")) {
        auto digest = token_digest(authorization.substr(7));
        auto token = co_await a.storage->read([&](SQLite::Database& db) { return find_api_token(db, digest, now); });
        if (token) {
            state.who = token->who;
            state.via_bearer = true;
            if (token->last_used_at + session_touch_interval <= now) {
                const auto executor = co_await net::this_coro::executor;
                net::co_spawn(executor, record_last_use(a, digest, true, now), net::detached);
            }
        }
        co_return state;
    }
    auto cookie = find_cookie(req, session_cookie_name(a));
    if (cookie.count > 1) {
        state.ambiguous = true;
        log_security(security_event::session_rejected, {{"reason", "two session cookies"}});
        co_return state;
    }
    if (cookie.value.empty()) co_return state;
    state.session_digest = token_digest(cookie.value);
    auto session = co_await a.storage->read([&](SQLite::Database& db) {
        return find_session(db, state.session_digest, now);
    });
    if (!session) co_return state;
    const auto executor = co_await net::this_coro::executor;
    if (!session_alive(a.config.sessions.for_role(session->who.who), session->created_at, session->last_seen_at, now)) {
        net::co_spawn(executor, end_session_later(a, state.session_digest), net::detached);
        co_return state;
    }
    state.who = session->who;
    state.csrf_token = session->csrf_token;
    if (session->last_seen_at + session_touch_interval <= now)
        net::co_spawn(executor, record_last_use(a, state.session_digest, false, now), net::detached);
    co_return state;
}

bool csrf_ok(const auth_state& auth, std::string_view presented) {
    if (auth.via_bearer) return true;
    const bool ok = !auth.csrf_token.empty() && constant_time_equal(auth.csrf_token, presented);
    if (!ok) log_security(security_event::csrf_rejected, {{"user", auth.who ? auth.who->login : std::string()}});
    return ok;
}

net::awaitable<std::variant<login_success, login_refused>> log_in(app& a, const login_request& request) {
    const time_ms now = now_ms();
    const std::string device_digest = request.device.empty() ? std::string() : token_digest(request.device);
    struct lookup {
        std::optional<user> found;
        bool known_device = false;
    };
    auto looked_up = co_await a.storage->read([&](SQLite::Database& db) {
        lookup l{find_user_by_login(db, request.login), false};
        l.known_device = l.found && !device_digest.empty() && is_known_device(db, device_digest, l.found->id);
        return l;
    });
    const login_attempt attempt{request.login, request.address,
                                looked_up.known_device ? std::string_view(device_digest) : std::string_view()};
    const std::string logged_login = shortened(request.login, 100);
    // Checked before the password, so the answer tells nothing about it; the list is the config's, not a secret.
    if (!a.config.oidc.password_login_allowed(request.login)) {
        log_security(security_event::login_failed,
                     {{"login", logged_login}, {"address", request.address}, {"reason", "password login not allowed"}});
        co_return login_refused{login_refused::reason::password_off};
    }
    if (const auto wait = a.throttle.wait_before(attempt, now); wait > 0) {
        log_security(security_event::login_throttled,
                     {{"login", logged_login}, {"address", request.address}, {"retry_after_ms", wait}});
        co_return login_refused{login_refused::reason::throttled, wait};
    }
    const auto& found = looked_up.found;
    const bool usable = found && !found->disabled && !found->password_hash.empty();
    const std::string hash = usable ? found->password_hash : std::string();
    const auto verified = co_await a.hasher.verify(hash, request.password);
    if (!verified) {
        log_security(security_event::login_throttled,
                     {{"login", logged_login}, {"address", request.address}, {"reason", "hashing pool busy"}});
        co_return login_refused{login_refused::reason::busy, 1000};
    }
    if (!*verified) {
        a.throttle.failed(attempt, now_ms());  // the delay runs from the answer, not from the start of the hashing
        log_security(security_event::login_failed, {{"login", logged_login},
                                                    {"address", request.address},
                                                    {"known_device", looked_up.known_device}});
        co_return login_refused{};
    }
    a.throttle.succeeded(attempt);
    const std::string no_provider;
    auto success = co_await open_session(a, *found, request, no_provider, no_provider);
    log_security(security_event::login_succeeded,
                 {{"user", found->login}, {"address", request.address}, {"known_device", looked_up.known_device}});
    co_return success;
}

net::awaitable<login_success> open_session(app& a, const user& who, const login_request& request,
                                           const std::string& sso_provider, const std::string& id_token) {
    const time_ms now = now_ms();
    // A browser keeps one device token for every login used in it (teachers share iPads); only one that looks
    // like ours is kept, anything else is replaced.
    const bool device_token_ok = request.device.size() == 64 &&
        std::all_of(request.device.begin(), request.device.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    login_success success{who, random_token(), random_token(), {}};
    if (request.remember_device) success.device_token = device_token_ok ? request.device : random_token();
    const std::string digest = token_digest(success.session_token);
    const std::string new_device_digest = request.remember_device ? token_digest(success.device_token) : std::string();
    const auto lifetime = a.config.sessions.for_role(who.who).lifetime;
    const std::string client = shortened(request.user_agent, 200);
    co_await a.storage->write([&](SQLite::Database& db) {
        delete_expired_sessions(db, now);
        insert_session(db, digest, who.id, success.csrf_token, now, now + lifetime, client);
        if (!sso_provider.empty()) insert_sso_session(db, digest, sso_provider, id_token);
        if (!new_device_digest.empty()) remember_device(db, new_device_digest, who.id, now);
    });
    co_return success;
}

net::awaitable<void> log_out(app& a, const auth_state& auth) {
    if (auth.session_digest.empty()) co_return;
    co_await a.storage->write([&](SQLite::Database& db) { delete_session(db, auth.session_digest); });
    log_security(security_event::logout, {{"user", auth.who ? auth.who->login : std::string()}});
}

void set_login_cookies(const app& a, http_response& res, const login_success& success) {
    if (!success.device_token.empty()) res.insert(http::field::set_cookie, device_cookie(a, success.device_token));
    res.insert(http::field::set_cookie, session_cookie(a, success.session_token, success.who.who));
}

} // namespace campusdesk
