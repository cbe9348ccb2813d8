#include "server/http/multipart.hpp"

#include "core/text.hpp"

#include <boost/beast/core/string.hpp>

namespace campusdesk {
namespace {

// The value of `key=` in a header's parameters (quoted or not).
std::optional<std::string> header_parameter(std::string_view header, std::string_view key) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto semi = header.find(';', pos);
        auto item = trim(header.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos));
        pos = semi == std::string_view::npos ? header.size() : semi + 1;
        auto eq = item.find('=');
        if (eq == std::string_view::npos || !boost::beast::iequals(trim(item.substr(0, eq)), key)) continue;
        auto value = trim(item.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"') {
            std::string out;
            for (std::size_t i = 1; i + 1 < value.size(); ++i) {
                if (value[i] == '\\' && i + 2 < value.size()) ++i;
                out += value[i];
            }
            return out;
        }
        return std::string(value);
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
    const auto semi = content_type.find(';');
    if (!boost::beast::iequals(trim(content_type.substr(0, semi)), "multipart/form-data") ||
        semi == std::string_view::npos)
        return std::nullopt;
    auto boundary = header_parameter(content_type.substr(semi + 1), "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
    return boundary;
}

std::optional<std::vector<multipart_part>> parse_multipart(std::string_view body, std::string_view boundary,
                                                           std::size_t max_parts) {
    const std::string delimiter = "--" + std::string(boundary);
    const std::string next_delimiter = "\r\n" + delimiter;
    std::vector<multipart_part> parts;
    auto pos = body.find(delimiter);
    if (pos == std::string_view::npos) return std::nullopt;
    pos += delimiter.size();
    for (;;) {
        if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
        if (body.substr(pos, 2) != "\r\n") return std::nullopt;
        pos += 2;
        if (parts.size() == max_parts) return std::nullopt;
        const auto header_end = body.find("\r\n\r\n", pos);
        if (header_end == std::string_view::npos) return std::nullopt;
        multipart_part part;
        bool has_disposition = false;
        for (auto line_start = pos; line_start < header_end;) {
            auto line_end = body.find("\r\n", line_start);
            if (line_end == std::string_view::npos || line_end > header_end) line_end = header_end;
            const auto line = body.substr(line_start, line_end - line_start);
            line_start = line_end + 2;
            const auto colon = line.find(':');
            if (colon == std::string_view::npos) return std::nullopt;
            const auto name = trim(line.substr(0, colon));
            const auto value = trim(line.substr(colon + 1));
            if (boost::beast::iequals(name, "Content-Disposition")) {
                if (!boost::beast::iequals(trim(value.substr(0, value.find(';'))), "form-data")) return std::nullopt;
                auto field = header_parameter(value, "name");
                if (!field) return std::nullopt;
                part.name = *field;
                part.filename = header_parameter(value, "filename").value_or("");
                has_disposition = true;
            } else if (boost::beast::iequals(name, "Content-Type")) {
                part.content_type = std::string(value);
            }
        }
        if (!has_disposition) return std::nullopt;
        const auto data_start = header_end + 4;
        const auto data_end = body.find(next_delimiter, data_start);
        if (data_end == std::string_view::npos) return std::nullopt;
        part.data = std::string(body.substr(data_start, data_end - data_start));
        parts.push_back(std::move(part));
        pos = data_end + next_delimiter.size();
    }
}

} // namespace campusdesk
