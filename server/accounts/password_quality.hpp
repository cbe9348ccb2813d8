// The check of passwords people set against common and guessable ones (ASVS 6.2.4, 6.2.11) through libpwquality
// and Debian's cracklib dictionary, after the length rule of core/password_policy; and initial passwords that pass.
#pragma once

#include "core/password_policy.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

// The whole rule for a password someone sets for the account `login`: check_password_length, then refused if it
// is a common or dictionary-based password (cracklib: `password`, `12345678`, `Passwort1`, keyboard rows), a
// palindrome, or contains the login. Throws std::runtime_error if the dictionary cannot be read (cracklib-runtime
// missing): setting a password must not silently skip the check.
std::optional<password_rejection> check_new_password(std::string_view password, std::string_view login);

// A random initial password for `login` (80 bits) that passes check_new_password.
std::string generate_initial_password(std::string_view login);

} // namespace campusdesk
