// libFuzzer: the configuration as campusdesk.toml, schools.csv, managers.csv and the holidays TOML, in this order,
// separated by lines "%%" (missing parts are empty).
#include "core/app_config.hpp"

#include <array>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace campusdesk;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::array<std::string, 4> parts;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto separator = input.find("\n%%\n");
        parts[i] = std::string(input.substr(0, separator));
        if (separator == std::string_view::npos) break;
        input.remove_prefix(separator + 4);
    }
    auto names = parse_config_file_names(parts[0], "campusdesk.toml");
    if (auto* errors = std::get_if<std::vector<config_error>>(&names))
        for (const auto& e : *errors) (void)format_config_error(e);
    config_texts texts{"campusdesk.toml", parts[0], "schools.csv", parts[1], "managers.csv", parts[2],
                       parts[3].empty() ? "" : "holidays.toml", parts[3]};
    auto config = parse_config(texts);
    if (auto* errors = std::get_if<std::vector<config_error>>(&config))
        for (const auto& e : *errors) (void)format_config_error(e);
    (void)parse_csv(parts[1], "schools.csv");
    return 0;
}
