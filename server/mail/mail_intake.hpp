// Mail to tickets (issue 17): what a mail from the support mailbox becomes. A known teacher's new mail opens a
// ticket at their school; an answer to a ticket's mail (reply token, our thread's Message-ID, or "[CD-…]" in the
// subject) from someone allowed on that ticket becomes their public reply; everything else a person wrote goes to
// the help desk's triage list; auto-replies, bounces, lists and our own mail are left alone. Tickets and replies go
// through ticket_service like the API's, so events, SLA and routing behave alike.
//
// Every mail is recorded before anything is done with it (storage/mail_repository), so it is never taken twice,
// and its raw bytes stay until it is wholly in a ticket.
#pragma once

#include "server/mail/incoming_mail.hpp"
#include "server/mail/reply_token.hpp"
#include "server/tickets/ticket_service.hpp"
#include "storage/mail_received_repository.hpp"

namespace campusdesk {

// What intake needs beside the app: the reply-token key (settings, "mail_reply") and what marks our own mail.
struct mail_intake_keys {
    reply_token_key reply_key{};
    own_mail_identity own;
};
// The keys for this config, with the reply-token key the sender signs with (load_reply_token_key).
mail_intake_keys mail_intake_keys_for(const mail_config& mail, const reply_token_key& reply_key);

struct intake_result {
    mail_outcome outcome = mail_outcome::failed;
    std::string reason;         // German, for the triage list and the log
    std::string ticket_number;  // ticket and reply
    bool duplicate = false;     // taken before: nothing done
};

// The key a mail is recorded under: its Message-ID, or a hash of its bytes if it has none.
std::string message_key_of(const incoming_mail& m, std::string_view raw);

// Takes one raw mail: records it, acts on it, records the outcome. Never throws for what the mail contains;
// storage failures propagate (the mail is then left in the mailbox and taken at the next poll).
net::awaitable<intake_result> take_mail(app& a, const mail_intake_keys& keys, std::string_view raw);
// The same for a mail parsed already (parse_incoming_mail(raw, keys.own)).
net::awaitable<intake_result> take_mail(app& a, const mail_intake_keys& keys, std::string_view raw,
                                        const incoming_mail& m);

// Mails taken since start by outcome (/metrics); duplicates are not counted.
std::uint64_t mail_taken_count(mail_outcome o);

// A dispatcher's decision on a mail in triage: a ticket filed for the teacher with this login (the mail's subject,
// text and attachments, as if the teacher had sent it), or discarded. Both audited.
net::awaitable<outcome<std::string>> ticket_from_triage(app& a, const user& dispatcher, std::int64_t mail_id,
                                                        const std::string& teacher_login);
net::awaitable<std::optional<request_error>> discard_triage(app& a, const user& dispatcher, std::int64_t mail_id);

} // namespace campusdesk
