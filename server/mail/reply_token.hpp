// The token in a notification's reply address (mail.reply_address, "helpdesk+{token}@…"): it names the ticket and
// the person the mail went to, and only campusdesk can make one (an HMAC-SHA256 with a secret key kept in the
// database's settings), so an answer by mail is taken as that person's reply on that ticket without a login.
// Lower-case letters, digits and '.', because mail systems may change the case of an address's local part.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

using reply_token_key = std::array<unsigned char, 32>;

struct reply_target {
    std::int64_t ticket_id = 0;
    std::int64_t user_id = 0;
    bool operator==(const reply_target&) const = default;
};

// "t<ticket>.u<user>.<20 hex digits of the MAC>"
std::string make_reply_token(const reply_token_key& key, const reply_target& target);
// The target of a token made with this key, or nullopt (forged, altered, malformed); case-insensitive.
std::optional<reply_target> verify_reply_token(const reply_token_key& key, std::string_view token);
// The reply address of mail.reply_address for a target: "{token}" replaced.
std::string reply_address_for(std::string_view pattern, const reply_token_key& key, const reply_target& target);
// The token inside an address made from the pattern (e.g. from To: or Delivered-To:), or nullopt.
std::optional<std::string> reply_token_in_address(std::string_view pattern, std::string_view address);

} // namespace campusdesk
