#include "server/http/form_body.hpp"

#include <charconv>

#include <boost/url.hpp>

namespace campusdesk {

std::optional<form_fields> parse_form(const std::string& body) {
    if (!boost::urls::parse_query(body)) return std::nullopt;
    form_fields fields;
    for (const auto& p : boost::urls::params_view(body, boost::urls::encoding_opts(true)))
        fields[p.key] = p.value;
    return fields;
}

std::vector<std::string> form_values(const std::string& body, std::string_view name) {
    std::vector<std::string> values;
    if (!boost::urls::parse_query(body)) return values;
    for (const auto& p : boost::urls::params_view(body, boost::urls::encoding_opts(true)))
        if (p.key == name) values.push_back(p.value);
    return values;
}

bool is_form(const http_request& req) {
    std::string_view type = req[http::field::content_type];
    return beast::iequals(type.substr(0, type.find(';')), "application/x-www-form-urlencoded");
}

std::string field_or_empty(const form_fields& f, const std::string& name) {
    auto it = f.find(name);
    return it == f.end() ? std::string() : it->second;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
    return id;
}

} // namespace campusdesk
