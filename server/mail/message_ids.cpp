#include "server/mail/message_ids.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace campusdesk {
namespace {

// Digits only, no leading zero, fits: the parts of our ids are never anything else.
std::optional<std::int64_t> number(std::string_view text) {
    std::int64_t value = 0;
    if (text.empty() || text.size() > 18 || (text.size() > 1 && text.front() == '0') ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

} // namespace

std::string mail_domain(std::string_view from) {
    if (const auto open = from.rfind('<'); open != std::string_view::npos) {
        from.remove_prefix(open + 1);
        from = from.substr(0, from.find('>'));
    }
    const auto at = from.rfind('@');
    return at == std::string_view::npos ? std::string() : ascii_lower(from.substr(at + 1));
}

std::string ticket_thread_id(std::int64_t ticket_id, std::string_view domain) {
    return fmt::format("<cd-ticket-{}@{}>", ticket_id, domain);
}

std::string notification_message_id(std::int64_t outbox_id, std::int64_t ticket_id, std::string_view domain) {
    return fmt::format("<cd-n{}.t{}@{}>", outbox_id, ticket_id, domain);
}

std::optional<own_message_id> parse_own_message_id(std::string_view id, std::string_view domain) {
    auto text = ascii_lower(id);
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
    const auto suffix = "@" + ascii_lower(domain);
    if (!text.starts_with("cd-") || !text.ends_with(suffix)) return std::nullopt;
    const std::string_view local = std::string_view(text).substr(3, text.size() - 3 - suffix.size());
    if (local.starts_with("ticket-")) {
        if (auto ticket = number(local.substr(7)); ticket && *ticket > 0) return own_message_id{*ticket, 0};
        return std::nullopt;
    }
    const auto dot = local.find(".t");
    if (!local.starts_with("n") || dot == std::string_view::npos) return std::nullopt;
    auto outbox = number(local.substr(1, dot - 1)), ticket = number(local.substr(dot + 2));
    if (!outbox || *outbox <= 0 || !ticket) return std::nullopt;
    return own_message_id{*ticket, *outbox};
}

} // namespace campusdesk
