// The one JSON serializer of campusdesk. Writes JSON text directly, for the large responses (ticket lists):
// building a Boost.JSON DOM first cost a third of a list request in allocations, hashing and copies. Small answers
// built as a Boost.JSON DOM are written through it too (value(const boost::json::value&)), so every answer, export
// and log line formats numbers alike. Strings are escaped by Boost.JSON's own serializer.
#pragma once

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

// Whether JSON must escape `c` inside a string: quotes, backslashes and control characters.
constexpr bool needs_json_escape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

// needs_json_escape for every byte, so that scanning a text costs one load per character.
inline constexpr auto json_escape_table = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c) table[static_cast<std::size_t>(c)] = needs_json_escape(static_cast<char>(c));
    return table;
}();

// A member name, kept as the text the writer appends (`"name":`, one copy per key): every name is a literal of
// ours that needs no JSON escape, which is checked when compiling (a name with a quote, backslash or control
// character, or longer than max_length, does not compile).
class json_key {
public:
    static constexpr std::size_t max_length = 44;

    template <std::size_t N>
    consteval json_key(const char (&name)[N]) : size_(N + 2) {  // NOLINT: implicit from a literal on purpose
        static_assert(N - 1 <= max_length, "a member name longer than json_key::max_length");
        text_[0] = '"';
        for (std::size_t i = 0; i + 1 < N; ++i) {
            if (needs_json_escape(name[i])) throw "a member name needs escaping";
            text_[i + 1] = name[i];
        }
        text_[N] = '"';
        text_[N + 1] = ':';
    }
    // `"name":`
    std::string_view quoted() const { return {text_.data(), size_}; }

private:
    std::array<char, max_length + 3> text_{};
    std::size_t size_;
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
    // Numbers in fmt's shortest round-trip form ("66.7"; Boost.JSON would print "6.67E1").
    json_writer& value(double number);
    // Any Boost.JSON value (the small answers built as a DOM), written the same way as the rest.
    json_writer& value(const boost::json::value& v);
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
