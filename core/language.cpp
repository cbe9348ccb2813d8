#include "core/language.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace campusdesk {
namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// A qvalue (RFC 9110 §12.4.2): "0", "0.", "0.5", "1", "1.000", at most three decimals; in thousandths.
std::optional<int> parse_qvalue(std::string_view q) {
    if (q.empty() || (q[0] != '0' && q[0] != '1')) return std::nullopt;
    int value = (q[0] - '0') * 1000;
    if (q.size() == 1) return value;
    if (q[1] != '.' || q.size() > 5) return std::nullopt;
    int scale = 100;
    for (char c : q.substr(2)) {
        if (c < '0' || c > '9') return std::nullopt;
        if (q[0] == '1' && c != '0') return std::nullopt;
        value += (c - '0') * scale;
        scale /= 10;
    }
    return value;
}

// A language-range: "*" or 1–8 letters, then "-" and 1–8 letters or digits, repeated.
bool valid_range(std::string_view r) {
    if (r == "*") return true;
    std::size_t part = 0;
    bool first = true;
    for (std::size_t i = 0; i <= r.size(); ++i) {
        if (i == r.size() || r[i] == '-') {
            if (part == 0 || part > 8) return false;
            part = 0;
            first = false;
            continue;
        }
        const auto c = static_cast<unsigned char>(r[i]);
        if (!(std::isalpha(c) || (!first && std::isdigit(c)))) return false;
        ++part;
    }
    return true;
}

} // namespace

std::string_view to_string(language l) { return l == language::en ? "en" : "de"; }

std::optional<language> parse_language(std::string_view code) {
    if (code == "de") return language::de;
    if (code == "en") return language::en;
    return std::nullopt;
}

std::optional<language> negotiate_language(std::string_view header) {
    // The q of each of our languages as named (-1: not named), and of "*", which stands for every language the
    // header does not name.
    std::array<int, language_count> named{-1, -1};
    int wildcard = -1;
    std::array<std::size_t, language_count> order{};  // first position named, for ties
    std::size_t position = 0;
    while (!header.empty()) {
        const auto comma = header.find(',');
        const auto item = trimmed(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        const auto semicolon = item.find(';');
        const auto range = trimmed(item.substr(0, semicolon));
        if (!valid_range(range)) continue;
        int q = 1000;
        bool readable = true;
        for (auto params = semicolon == std::string_view::npos ? std::string_view() : item.substr(semicolon + 1);
             !params.empty();) {
            const auto next = params.find(';');
            const auto param = trimmed(params.substr(0, next));
            params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
            const auto eq = param.find('=');
            if (eq == std::string_view::npos || !iequals(trimmed(param.substr(0, eq)), "q")) continue;
            const auto parsed = parse_qvalue(trimmed(param.substr(eq + 1)));
            if (!parsed) readable = false;
            else q = *parsed;
        }
        if (!readable) continue;
        ++position;
        const auto primary = range.substr(0, range.find('-'));
        if (primary == "*") {
            wildcard = std::max(wildcard, q);
            continue;
        }
        for (auto l : {language::de, language::en}) {
            const auto i = static_cast<std::size_t>(l);
            // "en-GB;q=0.8, en;q=0.5": the language's best range counts.
            if (iequals(primary, to_string(l)) && q > named[i]) {
                if (named[i] < 0) order[i] = position;
                named[i] = q;
            }
        }
    }
    std::optional<language> best;
    int best_q = 0;
    std::size_t best_order = 0;
    for (auto l : {language::de, language::en}) {
        const auto i = static_cast<std::size_t>(l);
        const int q = named[i] >= 0 ? named[i] : wildcard;
        const std::size_t at = named[i] >= 0 ? order[i] : position + 1;  // "*" ranks after named ones
        if (q > best_q || (q == best_q && q > 0 && at < best_order)) {
            best = l;
            best_q = q;
            best_order = at;
        }
    }
    return best;
}

language choose_language(std::optional<language> setting, std::string_view accept_language) {
    if (setting) return *setting;
    return negotiate_language(accept_language).value_or(language::de);
}

} // namespace campusdesk
