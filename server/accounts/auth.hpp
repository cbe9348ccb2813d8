// Who is asking: session cookies, API bearer tokens, login (throttled, hashed off the request threads) and CSRF.
#pragma once

#include "server/app.hpp"
#include "server/http/client_address.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <variant>

namespace campusdesk {

struct auth_state {
    std::optional<user> who;
    std::string csrf_token;      // the session's token; empty for bearer tokens
    std::string session_digest;  // to log out
    bool via_bearer = false;
    // The request carried two session cookies (a sibling subdomain may set one of its own): it is refused, since
    // which of them is ours cannot be told.
    bool ambiguous = false;
    // The page asked for (pages only), so the main navigation can mark its entry with aria-current.
    std::string page_path;
    // The pages' language: the user's setting, else the browser's Accept-Language, else German (pages only; the
    // API is language-neutral).
    language lang = language::de;
};

// The language of a page for this request: the user's setting when someone is logged in, else Accept-Language.
language page_language(const http_request& req, const std::optional<user>& who);

// A cookie's value (empty if absent) and how often the Cookie headers name it.
struct cookie_lookup {
    std::string value;
    int count = 0;
};
cookie_lookup find_cookie(const http_request& req, std::string_view name);

// The cookies' names: `__Host-` prefixed when campusdesk is served over HTTPS (the browser then accepts them only
// with Secure, Path=/ and no Domain, so no sibling subdomain can set them).
std::string session_cookie_name(const app& a);
std::string login_csrf_cookie_name(const app& a);
std::string device_cookie_name(const app& a);
// Binds a single sign-on login's state to the browser that started it (SameSite=Lax: the provider's redirect back
// is a top-level navigation from another site).
std::string sso_cookie_name(const app& a);
std::string sso_cookie(const app& a, const std::string& token);

std::string session_cookie(const app& a, const std::string& token, role who);
std::string expired_session_cookie(const app& a);
std::string login_csrf_cookie(const app& a, const std::string& token);
std::string device_cookie(const app& a, const std::string& token);

net::awaitable<auth_state> authenticate(app& a, const http_request& req);

// Whether a state-changing request carries the session's CSRF token (bearer-token requests need none).
bool csrf_ok(const auth_state& auth, std::string_view presented);

struct login_request {
    std::string login;
    std::string password;
    std::string address;     // client_address
    std::string user_agent;  // shown in the user's list of sessions
    std::string device;      // the device cookie's value, if any
    // Pages remember the browser as a known device (a cookie); the API does not: scripts keep no such cookie,
    // and API.md's clients read one Set-Cookie, the session's.
    bool remember_device = false;
};

struct login_success {
    user who;
    std::string session_token;
    std::string csrf_token;
    std::string device_token;  // to (re)set as the device cookie; empty unless the request remembers devices
};
struct login_refused {
    // password_off: [oidc] password_logins does not name this login; it logs in through a provider.
    enum class reason { invalid, throttled, busy, password_off } why = reason::invalid;
    time_ms retry_after = 0;  // throttled, busy
};

// Whole seconds to wait, for Retry-After (at least 1).
inline long long retry_after_seconds(const login_refused& r) { return std::max<time_ms>(1, (r.retry_after + 999) / 1000); }

net::awaitable<std::variant<login_success, login_refused>> log_in(app& a, const login_request& request);
// A new session for `who`, whom a password or an identity provider vouched for (`request.password` is not read).
// A session made through a provider keeps the provider's id and the ID token (RP-initiated logout).
net::awaitable<login_success> open_session(app& a, const user& who, const login_request& request,
                                           const std::string& sso_provider, const std::string& id_token);
net::awaitable<void> log_out(app& a, const auth_state& auth);

// Set-Cookie headers of a successful login: the session and, for pages, the device cookie.
void set_login_cookies(const app& a, http_response& res, const login_success& success);

} // namespace campusdesk
