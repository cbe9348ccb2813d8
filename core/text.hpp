// Small text helpers shared by the domain, the config and the server.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace campusdesk {

// `text` without leading and trailing spaces and tabs.
inline std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Whether `text` holds nothing but spaces, tabs and line breaks.
inline bool is_blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// ASCII letters in lower case (mail addresses, header values, keywords); other bytes unchanged.
inline std::string ascii_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; });
    return out;
}

} // namespace campusdesk
