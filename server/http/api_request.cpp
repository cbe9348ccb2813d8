#include "server/http/api_request.hpp"

#include "server/http/responses.hpp"

#include <boost/json/parse.hpp>

namespace campusdesk {

namespace json = boost::json;

bool is_json(const http_request& req) {
    std::string_view type = req[http::field::content_type];
    auto semi = type.find(';');
    auto base = type.substr(0, semi);
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    return beast::iequals(base, "application/json");
}

std::variant<json::object, http_response> json_body(const http_request& req) {
    if (!is_json(req))
        return api_error(http::status::unsupported_media_type, "unsupported_media_type",
                         "Erwartet wird application/json.");
    boost::system::error_code ec;
    auto value = json::parse(req.body(), ec);
    if (ec) return api_error(http::status::bad_request, "malformed_json", "Der Inhalt ist kein gültiges JSON.");
    if (!value.is_object())
        return api_error(http::status::bad_request, "malformed_json", "Erwartet wird ein JSON-Objekt.");
    return std::move(value.as_object());
}

std::optional<http_response> string_field(const json::object& o, std::string_view name, std::string& out) {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_string())
        return api_error(http::status::unprocessable_entity, "invalid_type",
                         fmt::format("{} muss eine Zeichenkette sein.", name), name);
    out = std::string(it->value().as_string());
    return std::nullopt;
}


} // namespace campusdesk
