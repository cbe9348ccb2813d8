// Who is asking: session cookies, API bearer tokens, login and CSRF checks.
#pragma once

#include "server/app.hpp"

#include <optional>
#include <string>
#include <variant>

namespace campusdesk {

inline constexpr std::string_view session_cookie_name = "cd_session";
inline constexpr std::string_view login_csrf_cookie_name = "cd_login";
inline constexpr time_ms session_lifetime = 14LL * 24 * 3600 * 1000;  // two weeks: teachers share iPads rarely log out

struct auth_state {
    std::optional<user> who;
    std::string csrf_token;      // the session's token; empty for bearer tokens
    std::string session_digest;  // to log out
    bool via_bearer = false;
};

std::string cookie_value(const http_request& req, std::string_view name);
net::awaitable<auth_state> authenticate(app& a, const http_request& req);

// Whether a state-changing request carries the session's CSRF token (bearer-token requests need none).
bool csrf_ok(const auth_state& auth, std::string_view presented);

struct login_success {
    user who;
    std::string session_token;
    std::string csrf_token;
};
enum class login_failure { invalid, throttled };

net::awaitable<std::variant<login_success, login_failure>> log_in(app& a, std::string login, std::string password);
net::awaitable<void> log_out(app& a, const auth_state& auth);

std::string session_cookie(const std::string& token);
std::string expired_session_cookie();

} // namespace campusdesk
