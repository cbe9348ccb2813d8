#pragma once

#include <filesystem>
#include <optional>

namespace campusdesk {

// BIN/../share/campusdesk when the running binary is an installed one (the Debian package: /usr/bin/campusdesk and
// /usr/share/campusdesk/templates), else nothing (a build directory of a checkout).
std::optional<std::filesystem::path> installed_share_dir();

} // namespace campusdesk
