#include "core/attachment_rules.hpp"

#include "core/ticket_rules.hpp"

namespace campusdesk {

std::optional<file_type> sniff_file_type(std::string_view d) {
    if (d.starts_with("\xFF\xD8\xFF")) return file_type{"image/jpeg", "jpg", true};
    if (d.starts_with("\x89PNG\r\n\x1A\n")) return file_type{"image/png", "png", true};
    if (d.starts_with("%PDF-")) return file_type{"application/pdf", "pdf", false};
    // ISO base media file: size, "ftyp", major brand. iPads save photos as HEIC.
    if (d.size() >= 12 && d.substr(4, 4) == "ftyp") {
        const auto brand = d.substr(8, 4);
        for (std::string_view heic : {"heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"})
            if (brand == heic) return file_type{"image/heic", "heic", false};
    }
    return std::nullopt;
}

std::string safe_file_name(std::string_view name, std::string_view extension) {
    if (auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    std::string out;
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\' || c == ';') continue;
        out += static_cast<char>(c);
    }
    if (!is_valid_utf8(out)) out.clear();
    while (utf8_length(out) > 120) {
        out.pop_back();
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
        if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    }
    while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
    if (out.empty()) out = "datei." + std::string(extension);
    return out;
}

} // namespace campusdesk
