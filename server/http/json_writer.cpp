#include "server/http/json_writer.hpp"

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

json_writer& json_writer::value(double number) {
    separate();
    out_ += fmt::format("{}", number);
    return *this;
}

json_writer& json_writer::value(const boost::json::value& v) {
    namespace json = boost::json;
    switch (v.kind()) {
    case json::kind::null: return null();
    case json::kind::bool_: return value(v.get_bool());
    case json::kind::int64: return value(v.get_int64());
    case json::kind::uint64:
        separate();
        out_ += fmt::format("{}", v.get_uint64());
        return *this;
    case json::kind::double_: return value(v.get_double());
    case json::kind::string: return value(std::string_view(v.get_string()));
    case json::kind::array:
        begin_array();
        for (const auto& item : v.get_array()) value(item);
        return end_array();
    case json::kind::object:
        begin_object();
        for (const auto& [name, item] : v.get_object()) {
            separate();
            escaped(name);
            out_ += ':';
            value(item);
        }
        return end_object();
    }
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
