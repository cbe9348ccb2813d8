#include "server/json_writer.hpp"

#include <fmt/format.h>

#include <iterator>

namespace campusdesk {

void json_writer::escaped(std::string_view text) {
    escaper_.reset(text);
    char buffer[4096];
    while (!escaper_.done()) out_ += escaper_.read(buffer, sizeof buffer);
}

json_writer& json_writer::key(std::string_view name) {
    separate();
    escaped(name);
    out_ += ':';
    return *this;
}

json_writer& json_writer::value(std::string_view text) {
    separate();
    escaped(text);
    return *this;
}

json_writer& json_writer::value(std::int64_t number) {
    separate();
    fmt::format_to(std::back_inserter(out_), "{}", number);
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

json_writer& json_writer::member(std::string_view name, std::optional<std::string_view> text) {
    key(name);
    return text ? value(*text) : null();
}

} // namespace campusdesk
