// Message-IDs of the mail campusdesk sends. Every notification has its own stable id (made from its outbox row,
// so a resend after a crash carries the same id and the receiver can drop the repeat); every mail about a ticket
// refers to the ticket's thread id (In-Reply-To, References), so mail programs thread them and an answer names
// its ticket even without the reply token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace campusdesk {

// The domain of a sender like "Name <helpdesk@schulen.example.de>" or "helpdesk@schulen.example.de"; lower case.
std::string mail_domain(std::string_view from);
// "<cd-ticket-123@domain>": the thread of ticket 123 (no mail carries it as its own Message-ID).
std::string ticket_thread_id(std::int64_t ticket_id, std::string_view domain);
// "<cd-n456.t123@domain>": notification 456 (outbox row) about ticket 123; ticket 0: about no ticket.
std::string notification_message_id(std::int64_t outbox_id, std::int64_t ticket_id, std::string_view domain);

struct own_message_id {
    std::int64_t ticket_id = 0;    // 0: not about a ticket
    std::int64_t outbox_id = 0;    // 0: the thread id
};
// Whether an id (with or without angle brackets) is one of ours with this domain, and what it names.
std::optional<own_message_id> parse_own_message_id(std::string_view id, std::string_view domain);

} // namespace campusdesk
