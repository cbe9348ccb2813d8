#include "server/install_paths.hpp"

namespace campusdesk {

std::optional<std::filesystem::path> installed_share_dir() {
    // Found from the running binary, so that any install prefix works without a path compiled in.
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return std::nullopt;
    auto share = exe.parent_path().parent_path() / "share" / "campusdesk";
    if (!std::filesystem::is_directory(share / "templates", ec)) return std::nullopt;
    return share;
}

} // namespace campusdesk
