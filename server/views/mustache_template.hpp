// The Mustache subset our pages use, compiled once and rendered without building a tree of maps per page.
//
// DESIGN.md names kainjow's Mustache for the templates. Its data model (a hash map per object, a lookup through a
// stack of them per tag, a copy of every value it is given) cost about half of a 100-row queue page, ten times
// the page's budget in issue 7. The templates stay Mustache and kainjow stays the reference: a test renders every
// template in templates/ with both on thousands of random data sets and requires the same bytes.
//
// Supported: {{name}} (HTML-escaped as kainjow escapes), {{{name}}} (as it is), {{#name}}…{{/name}} (a list: once
// per item; true or text: once; false, "" or an empty list: not at all), {{^name}}…{{/name}} (the opposite) and
// {{! comments}}. A line holding only section tags, comments and blanks leaves no trace in the output (Mustache's
// standalone lines). Anything else ({{.}}, dotted names, partials, delimiter changes) is refused at load time.
#pragma once

#include <atomic>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace campusdesk {

class page_data;

// Text as HTML (and XML) text or attribute value: & < > " ' as entities, the characters kainjow escapes.
void append_escaped(std::string& out, std::string_view text);
std::string html_escaped(std::string_view text);
using page_list = std::vector<page_data>;

// The data of a page or of one list item: named flags, texts, lists and objects. Setting a name again replaces its value.
class page_data {
public:
    void set(std::string_view name, bool flag);
    void set(std::string_view name, std::string text);  // an empty text counts as false, as in most Mustaches
    void set(std::string_view name, const char* text) { set(name, std::string(text)); }
    void set(std::string_view name, page_list list);
    // A nested object: renders like a list of this one item ({{#name}} once with its fields, {{^name}} never).
    void set(std::string_view name, page_data object);

    struct value {
        enum class kind { flag, text, list } type = kind::flag;
        bool flag = false;
        std::string text;
        page_list list;

        bool truthy() const;
    };
    // The value of `name` in this object, or nullptr.
    const value* find(std::string_view name) const;
    // Room for `fields` names without regrowing (objects with many fields, such as list rows).
    void reserve(std::size_t fields) { fields_.reserve(fields); }

private:
    value& entry(std::string_view name);

    // Not a std::pair: its conditionally explicit constructors make clang 16 with libstdc++ 12 need `value`'s
    // destructor while page_data is still incomplete, which does not compile (the fuzz build uses clang).
    struct field {
        std::string name;
        value v;
    };
    std::vector<field> fields_;  // a page has a few dozen: a linear search is fastest
};

class template_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class mustache_template {
public:
    // Throws template_error (with the line) for unbalanced sections and unsupported tags.
    explicit mustache_template(std::string_view source);

    void render(const page_data& data, std::string& out) const;
    std::string render(const page_data& data) const;

private:
    struct node {
        enum class kind { text, escaped, raw, section, inverted } type;
        std::string text;     // the literal text, or the name looked up
        std::size_t end = 0;  // sections: the index after the section's last node
    };
    void render(std::size_t begin, std::size_t end, std::vector<const page_data*>& stack, std::string& out) const;

    std::vector<node> nodes_;
    // The size of the last output, reserved up front: a page of 30 KB otherwise grows (and is copied) five times.
    // Pages of one template are of similar size; after an unusually long one, the next reserves too much once.
    struct size_hint {
        std::atomic<std::size_t> bytes{0};
        size_hint() = default;
        size_hint(const size_hint& other) : bytes(other.bytes.load(std::memory_order_relaxed)) {}
        size_hint& operator=(const size_hint& other) {
            bytes.store(other.bytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
            return *this;
        }
    };
    mutable size_hint last_size_;
};

} // namespace campusdesk
