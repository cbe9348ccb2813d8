#include "server/json_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace campusdesk {

void json_writer::escaped(std::string_view text) {
    // Most text needs no escape at all (JSON escapes only quotes, backslashes and control characters): copied
    // as it is, which is what the serializer would write; anything else goes through the serializer.
    const bool plain = std::none_of(text.begin(), text.end(),
                                    [](char c) { return json_escape_table[static_cast<unsigned char>(c)]; });
    if (plain) {
        out_ += '"';
        out_ += text;
        out_ += '"';
        return;
    }
    escaper_.reset(text);
    char buffer[4096];
    while (!escaper_.done()) out_ += escaper_.read(buffer, sizeof buffer);
}

json_writer& json_writer::key(json_key name) {
    separate();
    out_ += name.quoted();
    return *this;
}

json_writer& json_writer::value(std::string_view text) {
    separate();
    escaped(text);
    return *this;
}

json_writer& json_writer::value(std::int64_t number) {
    separate();
    const fmt::format_int digits(number);  // no format string to parse, as "{}" would be for every number
    out_.append(digits.data(), digits.size());
    return *this;
}

json_writer& json_writer::value(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
    return *this;
}

json_writer& json_writer::null() {
    separate();
    out_ += "null";
    return *this;
}

json_writer& json_writer::member(json_key name, std::optional<std::string_view> text) {
    key(name);
    return text ? value(*text) : null();
}

} // namespace campusdesk
