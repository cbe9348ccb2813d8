// A person's data as JSON (issue 20, DSGVO Art. 15 and 20): everything stored about them, the bytes of their
// uploads included (base64), for `campusdesk user export LOGIN`.
#pragma once

#include "storage/retention_repository.hpp"

#include <date/tz.h>

#include <filesystem>
#include <string>

namespace campusdesk {

// The JSON document (pretty enough for a person to read, UTF-8); times in ISO 8601 local time of `zone`.
std::string personal_export_json(const personal_data& p, const std::filesystem::path& attachments_dir,
                                 const date::time_zone* zone);

} // namespace campusdesk
