// Decoding application/x-www-form-urlencoded bodies of the pages' forms.
#pragma once

#include "server/http/net.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

using form_fields = std::map<std::string, std::string>;

// The decoded fields ('+' is a space), or nullopt when the body is malformed.
std::optional<form_fields> parse_form(const std::string& body);
// Whether the request says it carries such a body.
bool is_form(const http_request& req);
std::string field_or_empty(const form_fields& f, const std::string& name);
// A whole decimal number of a field or a path segment (ids), or nullopt.
std::optional<std::int64_t> parse_id(std::string_view text);

} // namespace campusdesk
