// Writes JSON text directly, for the large responses (ticket lists): building a Boost.JSON DOM first cost a third
// of a list request in allocations, hashing and copies. Strings are escaped by Boost.JSON's own serializer.
#pragma once

#include <boost/json/serializer.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

// Whether JSON must escape `c` inside a string: quotes, backslashes and control characters.
constexpr bool needs_json_escape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

// A member name, written as it is: every name is a literal of ours that needs no JSON escape, which is checked
// when compiling (a name with a quote, backslash or control character does not compile).
class json_key {
public:
    template <std::size_t N>
    consteval json_key(const char (&name)[N]) : text_(name, N - 1) {  // NOLINT: implicit from a literal on purpose
        for (char c : text_)
            if (needs_json_escape(c)) throw "a member name needs escaping";
    }
    std::string_view text() const { return text_; }

private:
    std::string_view text_;
};

class json_writer {
public:
    json_writer& begin_object() { return open('{'); }
    json_writer& end_object() { return close('}'); }
    json_writer& begin_array() { return open('['); }
    json_writer& end_array() { return close(']'); }
    // The key of the next member of the current object.
    json_writer& key(json_key name);
    json_writer& value(std::string_view text);
    json_writer& value(const char* text) { return value(std::string_view(text)); }  // else a literal would be a bool
    json_writer& value(std::int64_t number);
    json_writer& value(int number) { return value(std::int64_t{number}); }
    json_writer& value(bool flag);
    json_writer& null();
    // A member `name: text`, or `name: null` when there is no text.
    json_writer& member(json_key name, std::optional<std::string_view> text);

    // Text written so far, for values formatted elsewhere (appended as they are: must be valid JSON).
    std::string& raw() { return out_; }
    std::string take() { return std::move(out_); }

private:
    // A comma before every element but the first of its container (and never right after a key).
    void separate() {
        if (!out_.empty() && out_.back() != '{' && out_.back() != '[' && out_.back() != ':') out_ += ',';
    }
    json_writer& open(char c) {
        separate();
        out_ += c;
        return *this;
    }
    json_writer& close(char c) {
        out_ += c;
        return *this;
    }
    void escaped(std::string_view text);

    std::string out_;
    boost::json::serializer escaper_;
};

} // namespace campusdesk
