#include "server/views/mustache_template.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace campusdesk {

void page_data::set(std::string_view name, bool flag) {
    auto& v = entry(name);
    v.type = value::kind::flag;
    v.flag = flag;
}

void page_data::set(std::string_view name, std::string text) {
    if (text.empty()) return set(name, false);
    auto& v = entry(name);
    v.type = value::kind::text;
    v.text = std::move(text);
}

void page_data::set(std::string_view name, page_list list) {
    auto& v = entry(name);
    v.type = value::kind::list;
    v.list = std::move(list);
}

void page_data::set(std::string_view name, page_data object) {
    page_list one;
    one.push_back(std::move(object));
    set(name, std::move(one));
}

bool page_data::value::truthy() const {
    switch (type) {
    case kind::flag: return flag;
    case kind::text: return !text.empty();
    case kind::list: return !list.empty();
    }
    return false;
}

const page_data::value* page_data::find(std::string_view name) const {
    for (const auto& [key, v] : fields_)
        if (key == name) return &v;
    return nullptr;
}

page_data::value& page_data::entry(std::string_view name) {
    for (auto& [key, v] : fields_)
        if (key == name) return v = value{};
    if (fields_.empty()) fields_.reserve(8);  // most objects (options, rows) at most one regrowth
    fields_.push_back({std::string(name), value{}});
    return fields_.back().v;
}

namespace {

struct token {
    enum class kind { text, escaped, raw, section, inverted, close, comment } type;
    std::string_view text;  // the literal text, or the tag's name
};

bool is_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// The tokens of one line (tags do not span lines in our templates; one that does is refused).
std::vector<token> tokenize(std::string_view line, std::size_t line_number) {
    std::vector<token> tokens;
    const auto fail = [&](std::string_view why) {
        throw template_error(fmt::format("line {}: {}", line_number, why));
    };
    std::size_t pos = 0;
    while (pos < line.size()) {
        const auto open = line.find("{{", pos);
        if (open == std::string_view::npos) {
            tokens.push_back({token::kind::text, line.substr(pos)});
            break;
        }
        if (open > pos) tokens.push_back({token::kind::text, line.substr(pos, open - pos)});
        const bool triple = line.substr(open).starts_with("{{{");
        const std::string_view closing = triple ? "}}}" : "}}";
        const auto close = line.find(closing, open + 2);
        if (close == std::string_view::npos) fail("a tag without its closing braces");
        auto content = trim(line.substr(open + (triple ? 3 : 2), close - open - (triple ? 3 : 2)));
        pos = close + closing.size();
        token t{token::kind::escaped, content};
        if (triple) {
            t.type = token::kind::raw;
        } else if (!content.empty()) {
            switch (content.front()) {
            case '#': t.type = token::kind::section; break;
            case '^': t.type = token::kind::inverted; break;
            case '/': t.type = token::kind::close; break;
            case '!': t.type = token::kind::comment; break;
            case '&': t.type = token::kind::raw; break;
            case '>': fail("partials are put in place when the templates are loaded"); break;
            case '=': fail("delimiter changes are not supported"); break;
            default: break;
            }
            if (t.type != token::kind::escaped) t.text = trim(content.substr(1));
        }
        if (t.type != token::kind::comment && !is_name(t.text))
            fail(fmt::format("unsupported tag {{{{{}}}}} (only plain names)", content));
        tokens.push_back(t);
    }
    return tokens;
}

// Mustache's standalone lines: only section tags and comments between blanks leave no trace, not even the newline.
bool is_standalone(const std::vector<token>& tokens) {
    bool any_tag = false;
    for (const auto& t : tokens) {
        switch (t.type) {
        case token::kind::text:
            if (!is_blank(t.text)) return false;
            break;
        case token::kind::escaped:
        case token::kind::raw: return false;
        default: any_tag = true;
        }
    }
    return any_tag;
}


const page_data::value* lookup(const std::vector<const page_data*>& stack, std::string_view name) {
    for (auto it = stack.rbegin(); it != stack.rend(); ++it)
        if (const auto* v = (*it)->find(name)) return v;
    return nullptr;
}

} // namespace

void append_escaped(std::string& out, std::string_view text) {
    // The characters kainjow escapes, with the same entities.
    std::size_t done = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::string_view entity;
        switch (text[i]) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&apos;"; break;
        default: continue;
        }
        out.append(text.substr(done, i - done));
        out += entity;
        done = i + 1;
    }
    out.append(text.substr(done));
}

std::string html_escaped(std::string_view text) {
    std::string out;
    append_escaped(out, text);
    return out;
}

mustache_template::mustache_template(std::string_view source) {
    std::vector<std::pair<std::size_t, std::string_view>> open_sections;  // node index, name
    std::size_t line_number = 1;
    bool after_tag = false;
    for (std::size_t pos = 0; pos < source.size(); ++line_number) {
        const auto newline = source.find('\n', pos);
        const auto line_end = newline == std::string_view::npos ? source.size() : newline + 1;
        const auto tokens = tokenize(source.substr(pos, line_end - pos), line_number);
        const bool standalone = is_standalone(tokens);
        for (const auto& t : tokens) {
            // Adjacent texts become one node, unless a tag (even one that renders nothing) came between them.
            const bool text_continues = !nodes_.empty() && nodes_.back().type == node::kind::text && !after_tag;
            if (t.type != token::kind::text || !standalone) after_tag = t.type != token::kind::text;
            switch (t.type) {
            case token::kind::text:
                if (standalone) break;
                if (text_continues)
                    nodes_.back().text += t.text;
                else
                    nodes_.push_back({node::kind::text, std::string(t.text)});
                break;
            case token::kind::escaped: nodes_.push_back({node::kind::escaped, std::string(t.text)}); break;
            case token::kind::raw: nodes_.push_back({node::kind::raw, std::string(t.text)}); break;
            case token::kind::section:
            case token::kind::inverted:
                open_sections.emplace_back(nodes_.size(), t.text);
                nodes_.push_back({t.type == token::kind::section ? node::kind::section : node::kind::inverted,
                                  std::string(t.text)});
                break;
            case token::kind::close:
                if (open_sections.empty() || open_sections.back().second != t.text)
                    throw template_error(fmt::format("line {}: {{{{/{}}}}} closes no open section", line_number, t.text));
                nodes_[open_sections.back().first].end = nodes_.size();
                open_sections.pop_back();
                break;
            case token::kind::comment: break;
            }
        }
        pos = line_end;
    }
    if (!open_sections.empty())
        throw template_error(fmt::format("section {{{{#{}}}}} is not closed", open_sections.back().second));
}

std::string mustache_template::render(const page_data& data) const {
    std::string out;
    out.reserve(last_size_.bytes.load(std::memory_order_relaxed));
    render(data, out);
    last_size_.bytes.store(out.size(), std::memory_order_relaxed);
    return out;
}

void mustache_template::render(const page_data& data, std::string& out) const {
    std::vector<const page_data*> stack{&data};
    render(0, nodes_.size(), stack, out);
}

void mustache_template::render(std::size_t begin, std::size_t end, std::vector<const page_data*>& stack,
                               std::string& out) const {
    for (std::size_t i = begin; i < end; ++i) {
        const auto& n = nodes_[i];
        switch (n.type) {
        case node::kind::text: out += n.text; break;
        case node::kind::escaped:
        case node::kind::raw: {
            const auto* v = lookup(stack, n.text);
            if (v == nullptr || v->type != page_data::value::kind::text) break;
            if (n.type == node::kind::raw)
                out += v->text;
            else
                append_escaped(out, v->text);
            break;
        }
        case node::kind::section: {
            const auto* v = lookup(stack, n.text);
            if (v != nullptr && v->truthy()) {
                if (v->type == page_data::value::kind::list) {
                    for (const auto& item : v->list) {
                        stack.push_back(&item);
                        render(i + 1, n.end, stack, out);
                        stack.pop_back();
                    }
                } else {
                    render(i + 1, n.end, stack, out);
                }
            }
            i = n.end - 1;
            break;
        }
        case node::kind::inverted: {
            const auto* v = lookup(stack, n.text);
            if (v == nullptr || !v->truthy()) render(i + 1, n.end, stack, out);
            i = n.end - 1;
            break;
        }
        }
    }
}

} // namespace campusdesk
