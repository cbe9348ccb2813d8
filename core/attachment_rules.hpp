// What may be attached to a ticket: file types recognised by their content (never by name) and safe file names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

struct file_type {
    std::string_view mime;
    std::string_view extension;
    bool image;  // shown as a thumbnail where browsers can display it
};

// JPEG, PNG, HEIC/HEIF and PDF by their magic bytes; nullopt for anything else.
std::optional<file_type> sniff_file_type(std::string_view data);

// The last path component, without control characters or quotes, at most 120 characters; "datei" if nothing is left.
std::string safe_file_name(std::string_view name, std::string_view extension);

} // namespace campusdesk
