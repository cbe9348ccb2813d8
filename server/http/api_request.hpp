// Reading the JSON bodies of API requests (API.md conventions): the content type, the object, typed fields.
#pragma once

#include "server/http/net.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace campusdesk {

bool is_json(const http_request& req);
// Parses the body as a JSON object, or answers why not (415, 400).
std::variant<boost::json::object, http_response> json_body(const http_request& req);
// Reads an optional string field into `out`; a field of another type is a 422 naming it.
std::optional<http_response> string_field(const boost::json::object& o, std::string_view name, std::string& out);

} // namespace campusdesk
