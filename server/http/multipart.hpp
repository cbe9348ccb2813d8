// multipart/form-data (RFC 7578) parsing with hard limits, for photo uploads from the pages and the API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

struct multipart_part {
    std::string name;
    std::string filename;      // empty for plain fields
    std::string content_type;  // as the client claimed it (never trusted for files)
    std::string data;
};

// The boundary parameter of a multipart/form-data Content-Type, if this is one.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// The parts of the body; nullopt when it is malformed or has more than `max_parts` parts.
std::optional<std::vector<multipart_part>> parse_multipart(std::string_view body, std::string_view boundary,
                                                           std::size_t max_parts);

} // namespace campusdesk
