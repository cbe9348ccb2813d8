#include "server/mail/reply_token.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>

namespace campusdesk {
namespace {

constexpr std::size_t mac_bytes = 10;  // 80 bits: far beyond guessing by mail

std::string mac_hex(const reply_token_key& key, const reply_target& target) {
    const auto message = fmt::format("campusdesk-reply:{}:{}", target.ticket_id, target.user_id);
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key.data(), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    std::string hex(mac_bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac_bytes);
    hex.pop_back();
    return hex;
}

std::optional<std::int64_t> positive_number(std::string_view text) {
    std::int64_t value = 0;
    if (text.empty() || text.size() > 18 || text.front() == '0' ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

} // namespace

std::string make_reply_token(const reply_token_key& key, const reply_target& target) {
    return fmt::format("t{}.u{}.{}", target.ticket_id, target.user_id, mac_hex(key, target));
}

std::optional<reply_target> verify_reply_token(const reply_token_key& key, std::string_view token) {
    const auto text = ascii_lower(token);
    const auto first = text.find('.'), second = text.find('.', first == std::string::npos ? 0 : first + 1);
    if (first == std::string::npos || second == std::string::npos || text[0] != 't' || text[first + 1] != 'u')
        return std::nullopt;
    auto ticket = positive_number(std::string_view(text).substr(1, first - 1));
    auto user = positive_number(std::string_view(text).substr(first + 2, second - first - 2));
    if (!ticket || !user) return std::nullopt;
    const reply_target target{*ticket, *user};
    const auto expected = mac_hex(key, target);
    const auto given = std::string_view(text).substr(second + 1);
    if (given.size() != expected.size() || sodium_memcmp(given.data(), expected.data(), expected.size()) != 0)
        return std::nullopt;
    return target;
}

std::string reply_address_for(std::string_view pattern, const reply_token_key& key, const reply_target& target) {
    std::string address(pattern);
    const auto at = address.find("{token}");
    if (at == std::string::npos) return address;
    return address.replace(at, 7, make_reply_token(key, target));
}

std::optional<std::string> reply_token_in_address(std::string_view pattern, std::string_view address) {
    const auto at = pattern.find("{token}");
    if (at == std::string_view::npos) return std::nullopt;
    const auto prefix = ascii_lower(pattern.substr(0, at)), suffix = ascii_lower(pattern.substr(at + 7));
    const auto text = ascii_lower(address);
    if (text.size() <= prefix.size() + suffix.size() || !text.starts_with(prefix) || !text.ends_with(suffix))
        return std::nullopt;
    return text.substr(prefix.size(), text.size() - prefix.size() - suffix.size());
}

} // namespace campusdesk
