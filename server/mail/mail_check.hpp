// What `campusdesk check-config` says about [mail] beyond the parser's field checks: whether the sender is one
// mailbox for GMime, whether the mail templates load, and settings that work but are probably not meant.
#pragma once

#include "core/app_config.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace campusdesk {

struct mail_check {
    std::vector<std::string> errors;    // mail cannot work like this
    std::vector<std::string> warnings;  // works, but look again
    std::string summary;                // one line: off, or where mail goes
};
mail_check check_mail_config(const app_config& config, const std::filesystem::path& templates_dir);

} // namespace campusdesk
