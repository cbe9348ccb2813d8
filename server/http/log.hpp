// Structured log lines: one JSON object a line on stderr (journald keeps both streams), escaped by Boost.JSON,
// so no caller writes JSON by hand. Security events go through log_security, which also counts them for /metrics.
#pragma once

#include <boost/json/value.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace campusdesk {

enum class log_level { info, warning, error };

// A named value of a log line: numbers, booleans and texts (std::string too, which boost::json::value does not
// take implicitly).
struct log_field {
    template <class T>
        requires std::is_constructible_v<boost::json::value, T>
    log_field(std::string_view n, T&& v) : name(n), value(std::forward<T>(v)) {}
    log_field(std::string_view n, const std::string& v) : name(n), value(std::string_view(v)) {}

    std::string_view name;
    boost::json::value value;
};

void log_line(log_level level, std::string_view msg, std::initializer_list<log_field> fields = {});

// ASVS 16.3: the security events worth an alert. Never log a password, a token or a session id.
enum class security_event {
    login_succeeded,
    login_failed,
    login_throttled,
    logout,
    password_changed,
    token_created,
    sessions_revoked,
    permission_denied,
    csrf_rejected,
    session_rejected,
    sso_login_succeeded,  // single sign-on (issue 19)
    sso_login_failed,
    count_  // number of kinds
};
std::string_view to_string(security_event e);

void log_security(security_event event, std::initializer_list<log_field> fields = {});

// How often each security event has been logged since start (for /metrics).
std::uint64_t security_event_count(security_event event);

} // namespace campusdesk
