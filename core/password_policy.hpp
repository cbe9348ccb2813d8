// The password rules of OWASP ASVS 5.0 §6.2 that need no I/O: length in characters and valid text. The check
// against common passwords needs a dictionary and lives in server/password_quality.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

// Length in Unicode characters, not bytes (ASVS 6.2.1: at least 8; 6.2.9: at least 64 must be allowed). 128
// leaves room for long passphrases and bounds the work of hashing. One limit for every path that sets a password
// or logs in (CLI, API, login page). No composition rules (ASVS 6.2.5): any character but control characters.
constexpr std::size_t password_min_characters = 8;
constexpr std::size_t password_max_characters = 128;
// The most bytes a password within the limit can take in UTF-8 (four per character); logins refuse more before
// counting, so a megabyte of continuation bytes (which count as no character) never reaches the hash.
constexpr std::size_t password_max_bytes = 4 * password_max_characters;

enum class password_problem { invalid_encoding, control_characters, too_short, too_long, common, contains_login };

struct password_rejection {
    password_problem problem;
    std::string message;  // German, for the page, the API and the CLI
};

// The rule for a password someone sets (CLI, and any later page that sets one): valid UTF-8 without control
// characters, password_min_characters to password_max_characters characters.
std::optional<password_rejection> check_password_length(std::string_view password);

// What a login accepts to verify: not empty and within the maximum a password can be set to. Longer input is
// refused before hashing (it cannot be anyone's password).
bool password_fits_login(std::string_view password);

// The code of a problem for API errors ("too_short", "common", …).
std::string_view to_string(password_problem p);

} // namespace campusdesk
