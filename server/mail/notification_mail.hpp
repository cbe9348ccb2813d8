// A queued notification made into a mail when it is sent (never on the writer): its text and HTML from the Mustache
// templates of templates/mail/ in the recipient's language, its subject with the ticket number, its Message-ID from
// the outbox row (stable across resends), the ticket's thread, and the signed reply address.
#pragma once

#include "server/app.hpp"
#include "server/mail/mime.hpp"
#include "server/mail/reply_token.hpp"
#include "storage/mail_repository.hpp"

#include <optional>
#include <string>

namespace campusdesk {

// The mail templates (templates/mail/), loaded once.
struct mail_templates {
    page_renderer renderer;
};
mail_templates load_mail_templates(const std::filesystem::path& templates_dir);

// Everything the renderer needs besides the database.
struct mail_context {
    const app_config& config;
    const directory& dir;
    const mail_templates& templates;
    const reply_token_key& key;
};

// Where links in mails point: [server] public_url, else http:// and the listen address.
std::string public_base_url(const app_config& config);

// The mail of an outbox row, or an explanation why there is none to send (the recipient has no address any more,
// the ticket is gone).
struct rendered_mail {
    std::optional<mail_message> message;
    std::string problem;
};
rendered_mail render_notification(const mail_context& c, SQLite::Database& db, const outbox_row& row);

// The one answer a day to a person whose address belongs to no account ([mail.imap] unknown_senders = "answer"):
// how to reach the support instead. Never answered again by us (it is a machine's answer, RFC 3834).
mail_message render_unknown_sender_answer(const mail_context& c, SQLite::Database& db, const outbox_row& row);

// The test mail of `campusdesk mail test`.
mail_message render_test_mail(const mail_context& c, const std::string& address, std::int64_t outbox_id);

} // namespace campusdesk
