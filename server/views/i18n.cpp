#include "server/views/i18n.hpp"

#include "server/views/mustache_template.hpp"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace campusdesk {
namespace {

constexpr std::string_view open_mark = "{{#t}}", close_mark = "{{/t}}";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string normalized(std::string_view text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (is_space(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// A PO string's content: "…" with C escapes.
std::string unquoted(std::string_view s, std::size_t line) {
    auto fail = [&](std::string_view what) {
        return std::runtime_error(fmt::format("line {}: {}", line, what));
    };
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') throw fail("expected a quoted string");
    s = s.substr(1, s.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '"') throw fail("unescaped quote");
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i == s.size()) throw fail("escape at the end of a string");
        switch (s[i]) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        default: throw fail(fmt::format("unknown escape \\{}", s[i]));
        }
    }
    return out;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

struct installed {
    std::mutex guard;
    std::deque<message_catalog> kept;  // never freed: tr() hands out views into them
    std::array<std::atomic<const message_catalog*>, language_count> current{};
};
installed& catalogs() {
    static installed state;
    return state;
}

} // namespace

message_catalog message_catalog::from_po(std::string_view text) {
    message_catalog c;
    enum class field { none, id, str } reading = field::none;
    std::string id, str;
    bool have_entry = false;
    auto finish = [&] {
        if (have_entry && !id.empty() && !str.empty()) c.entries_.insert_or_assign(id, str);
        id.clear();
        str.clear();
        have_entry = false;
        reading = field::none;
    };
    std::size_t line_number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const auto line = trimmed(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        ++line_number;
        if (line.empty() || line.starts_with('#')) {
            if (line.empty()) finish();
            continue;
        }
        if (line.starts_with("msgid ")) {
            finish();
            have_entry = true;
            reading = field::id;
            id = unquoted(trimmed(line.substr(6)), line_number);
        } else if (line.starts_with("msgstr ")) {
            if (reading != field::id) throw std::runtime_error(fmt::format("line {}: msgstr without msgid", line_number));
            reading = field::str;
            str = unquoted(trimmed(line.substr(7)), line_number);
        } else if (line.starts_with('"')) {
            if (reading == field::none)
                throw std::runtime_error(fmt::format("line {}: a string outside an entry", line_number));
            (reading == field::id ? id : str) += unquoted(line, line_number);
        } else {
            throw std::runtime_error(fmt::format("line {}: not understood (msgctxt and plurals are not used)",
                                                 line_number));
        }
    }
    finish();
    return c;
}

message_catalog message_catalog::read_po(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot be read", file.string()));
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return from_po(ss.str());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(fmt::format("{}: {}", file.string(), e.what()));
    }
}

const std::string* message_catalog::find(std::string_view german) const {
    auto it = entries_.find(german);
    return it == entries_.end() ? nullptr : &it->second;
}

namespace {

// Calls `text(before)` for each stretch outside marks and `marked(inside)` for each marked text.
template <typename Text, typename Marked>
void walk_marks(std::string_view source, Text text, Marked marked) {
    while (true) {
        const auto open = source.find(open_mark);
        const auto close = source.find(close_mark);
        if (open == std::string_view::npos) {
            if (close != std::string_view::npos) throw template_error("{{/t}} without {{#t}}");
            text(source);
            return;
        }
        if (close < open) throw template_error("{{/t}} without {{#t}}");
        if (close == std::string_view::npos) throw template_error("{{#t}} is not closed");
        const auto inside = source.substr(open + open_mark.size(), close - open - open_mark.size());
        if (inside.find(open_mark) != std::string_view::npos) throw template_error("{{#t}} inside {{#t}}");
        text(source.substr(0, open));
        marked(inside);
        source.remove_prefix(close + close_mark.size());
    }
}

} // namespace

std::vector<std::string> marked_texts(std::string_view source) {
    std::vector<std::string> out;
    walk_marks(source, [](std::string_view) {}, [&](std::string_view inside) { out.push_back(normalized(inside)); });
    return out;
}

std::string localize_template(std::string_view source, const message_catalog* catalog) {
    std::string out;
    out.reserve(source.size());
    walk_marks(source, [&](std::string_view text) { out += text; },
               [&](std::string_view inside) {
                   const std::string* translated = catalog ? catalog->find(normalized(inside)) : nullptr;
                   out += translated ? std::string_view(*translated) : inside;
               });
    return out;
}

void install_catalog(language lang, message_catalog catalog) {
    auto& state = catalogs();
    std::lock_guard lock(state.guard);
    auto& slot = state.current[static_cast<std::size_t>(lang)];
    // Tests start many servers from the same templates: keep one copy of an unchanged catalog.
    if (const auto* now = slot.load(); now && now->entries() == catalog.entries()) return;
    state.kept.push_back(std::move(catalog));
    slot.store(&state.kept.back());
}

std::string_view translated(language lang, std::string_view german) {
    const auto* catalog = catalogs().current[static_cast<std::size_t>(lang)].load(std::memory_order_acquire);
    if (!catalog) return german;
    const auto* translated = catalog->find(german);
    return translated ? std::string_view(*translated) : german;
}

std::string decimal(double value, int digits, language lang) {
    auto text = fmt::format("{:.{}f}", value, digits);
    if (lang == language::de)
        if (const auto point = text.find('.'); point != std::string::npos) text[point] = ',';
    return text;
}

} // namespace campusdesk
