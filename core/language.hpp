// The languages of the pages (DESIGN.md: German first, English second) and the choice among them: the user's
// setting, else the browser's Accept-Language, else German.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace campusdesk {

// German is the source language: templates and C++ texts are written in it, English is translated from it.
enum class language : unsigned char { de, en };
inline constexpr std::size_t language_count = 2;

// "de", "en": the code of <html lang> and of users.language.
std::string_view to_string(language l);
// "de" or "en" exactly (a stored setting, a form's choice), or nothing.
std::optional<language> parse_language(std::string_view code);

// The best of our languages for an Accept-Language header (RFC 9110 §12.5.4): language ranges with q-values,
// matched by their primary subtag ("en-GB" is English, "de-AT" German), highest q first and, among equal q, the
// first named; "*" means any (German, our default); q=0 excludes. Nothing when the header names none of ours, is
// empty or cannot be read (a malformed range or q-value is skipped, not the whole header).
std::optional<language> negotiate_language(std::string_view accept_language);

// The language a page is drawn in: the user's setting, else the browser's, else German.
language choose_language(std::optional<language> setting, std::string_view accept_language);

} // namespace campusdesk
