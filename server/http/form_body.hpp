// Decoding application/x-www-form-urlencoded bodies of the pages' forms.
#pragma once

#include "server/http/net.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

using form_fields = std::map<std::string, std::string>;

// The decoded fields ('+' is a space), or nullopt when the body is malformed.
std::optional<form_fields> parse_form(const std::string& body);
// Whether the request says it carries such a body.
bool is_form(const http_request& req);
std::string field_or_empty(const form_fields& f, const std::string& name);
// Every value of a field that a form sends more than once (checkboxes of one name), in order; form_fields keeps
// only the last. Empty for a malformed body.
std::vector<std::string> form_values(const std::string& body, std::string_view name);
// A whole decimal number of a field or a path segment (ids), or nullopt.
std::optional<std::int64_t> parse_id(std::string_view text);

} // namespace campusdesk
