// Incoming mail as campusdesk reads it (issue 17): a raw RFC 5322 message parsed with GMime 3 into who sent it,
// what it answers, its readable text (UTF-8, whatever the mail claimed) and its attachments, and what kind of mail
// it is, so that auto-replies, bounces, lists and our own mail never become tickets or replies.
//
// Never throws on what a mail contains: broken MIME, unknown or wrong charsets, raw 8-bit headers and encoded-word
// oddities give the best text that could be read (invalid bytes replaced), never a crash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

struct mail_address {
    std::string address;  // as written ("Anna.Schmidt@schule.de"); compare without regard to case
    std::string name;     // display name, decoded; may be empty
};

struct mail_attachment {
    std::string filename;      // decoded (RFC 2231/2047), as the sender named it; may be empty
    std::string content_type;  // "image/jpeg", "application/ms-tnef", "message/rfc822", …
    std::string data;          // transfer encoding removed
};

// Why a mail must never open a ticket or become a reply.
enum class sender_kind {
    person,      // written by a person: may become a ticket or a reply
    auto_reply,  // Auto-Submitted, X-Autoreply, X-Autorespond, Precedence: auto_reply (out of office)
    bounce,      // MAILER-DAEMON/postmaster, Return-Path: <>, a delivery-status report
    list,        // Precedence: bulk|list|junk, List-Id
    own,         // one of the mails campusdesk sent (our Message-ID or our sender)
};
std::string_view to_string(sender_kind k);

struct incoming_mail {
    mail_address from;
    std::string subject;                  // decoded, one line
    std::string message_id;               // without angle brackets; may be empty
    std::vector<std::string> in_reply_to; // ids of In-Reply-To, without angle brackets
    std::vector<std::string> references;  // ids of References, without angle brackets
    std::vector<std::string> recipients;  // addresses of To, Cc, Delivered-To and X-Original-To
    std::string text;                     // the whole text: text/plain preferred, else the HTML as text
    std::string reply_text;               // text without quoted history and signature
    bool html_only = false;               // text came from HTML
    std::vector<mail_attachment> attachments;
    sender_kind kind = sender_kind::person;
    std::string kind_reason;              // the header or sender that decided `kind`, e.g. "Auto-Submitted: auto-replied"
};

// What identifies our own mail: the domain of our Message-IDs (mail_domain(mail.from)) and our sender address.
struct own_mail_identity {
    std::string domain;
    std::string address;
};

// Parses a raw message. Never throws for any input.
incoming_mail parse_incoming_mail(std::string_view raw, const own_mail_identity& own = {});

// The text a person wrote above quoted history and their signature: cut at "Am … schrieb …:", "On … wrote:",
// Outlook's "-----Ursprüngliche Nachricht-----" / "-----Original Message-----" or its "Von: … Gesendet: …" block,
// a line of underscores, "-- " and "Von meinem iPad gesendet"-style lines; lines quoted with ">" are dropped.
// If nothing would be left, the whole text (trimmed).
std::string cut_quoted_text(std::string_view text);

// A subject without the answer and forward prefixes mail programs add ("Re:", "AW:", "WG:", "Fwd:", "[CD-…]"
// handled by the caller), and without surrounding blanks.
std::string clean_subject(std::string_view subject);

// HTML as readable text: block elements on their own lines, lists with "- ", blockquotes quoted with "> ",
// script and style left out, entities decoded (libxml2's forgiving HTML parser).
std::string html_to_text(std::string_view html);

// Valid UTF-8 without control characters other than line breaks and tabs; CR LF and CR become LF. Bytes that are
// not UTF-8 are read as Windows-1252 (what mislabelled mail almost always is).
std::string clean_mail_text(std::string_view text);

} // namespace campusdesk
