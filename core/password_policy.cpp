#include "core/password_policy.hpp"

#include "core/ticket_rules.hpp"

#include <fmt/format.h>

namespace campusdesk {

std::optional<password_rejection> check_password_length(std::string_view password) {
    if (!is_valid_utf8(password))
        return password_rejection{password_problem::invalid_encoding, "Das Passwort enthält ungültige Zeichen."};
    if (has_control_characters(password, text_lines::single))
        return password_rejection{password_problem::control_characters,
                                  "Das Passwort darf keine Steuerzeichen enthalten."};
    const auto length = utf8_length(password);
    if (length < password_min_characters)
        return password_rejection{password_problem::too_short,
                                  fmt::format("Das Passwort muss mindestens {} Zeichen lang sein.",
                                              password_min_characters)};
    if (length > password_max_characters)
        return password_rejection{password_problem::too_long,
                                  fmt::format("Das Passwort darf höchstens {} Zeichen lang sein.",
                                              password_max_characters)};
    return std::nullopt;
}

bool password_fits_login(std::string_view password) {
    return !password.empty() && password.size() <= password_max_bytes &&
           utf8_length(password) <= password_max_characters;
}

std::string_view to_string(password_problem p) {
    switch (p) {
    case password_problem::invalid_encoding: return "invalid_encoding";
    case password_problem::control_characters: return "control_characters";
    case password_problem::too_short: return "too_short";
    case password_problem::too_long: return "too_long";
    case password_problem::common: return "common_password";
    case password_problem::contains_login: return "contains_login";
    }
    return "invalid";
}

} // namespace campusdesk
