// A notification as a MIME message, composed by GMime 3 (issue 17: not by hand): RFC 2047 encoded UTF-8 subjects
// and display names, a multipart/alternative of text and HTML (quoted-printable UTF-8), CRLF line ends as SMTP
// wants them.
#pragma once

#include "core/ticket.hpp"

#include <optional>
#include <string>

namespace campusdesk {

struct mail_message {
    std::string from;        // "Name <address>" or "address" ([mail] from)
    std::string to_name;     // may be empty
    std::string to_address;
    std::string reply_to;    // empty: none
    std::string subject;
    std::string message_id;  // "<…@…>"
    std::string thread_id;   // "<…@…>": In-Reply-To and References; empty: none
    std::string unsubscribe_url;  // List-Unsubscribe; empty: none
    std::string auto_submitted = "auto-generated";  // RFC 3834: "auto-replied" for an answer to a mail
    std::string text;
    std::string html;
    time_ms date = 0;
};

// The message as bytes (headers and body, CRLF line ends).
std::string compose_mime(const mail_message& m);

// The bare address of a sender like "Name <a@b.de>" (GMime's parser), or nullopt if it names no mailbox.
std::optional<std::string> mailbox_address(const std::string& text);

} // namespace campusdesk
