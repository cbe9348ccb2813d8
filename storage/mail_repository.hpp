// The mail outbox and people's mail settings in SQLite (issue 17; schema 10). A notification is queued in the
// transaction of the event that causes it, as an intent that the sender renders when it sends.
#pragma once

#include "core/notifications.hpp"
#include "core/ticket.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

class business_calendar;

// A person as a recipient of mail.
struct mail_recipient {
    std::int64_t user_id = 0;
    role who = role::teacher;
    std::string email;          // empty: no address, no mail
    std::int64_t mail_off = 0;  // mail_bit of each kind they switched off
    bool digest = false;        // a campus manager's mails come once a day, together
    bool disabled = false;
};

std::optional<mail_recipient> find_mail_recipient(SQLite::Database& db, std::int64_t user_id);
// The account of the campus manager of this managers row.
std::optional<mail_recipient> find_manager_recipient(SQLite::Database& db, std::int64_t manager_id);
// Every active dispatcher (the help desk).
std::vector<mail_recipient> help_desk_recipients(SQLite::Database& db);

// A user's address and settings as their account page shows them.
struct mail_settings {
    std::string email;
    std::int64_t mail_off = 0;
    bool digest = false;
    std::string locale = "de";  // "de" or "en"
};
std::optional<mail_settings> load_mail_settings(SQLite::Database& db, std::int64_t user_id);
void save_mail_settings(SQLite::Database& db, std::int64_t user_id, const mail_settings& s);
// Sets the address of the account with this login; false if there is none.
bool set_user_email(SQLite::Database& db, std::string_view login, std::string_view email);
// Gives the account this address if it has none (a campus manager's stays that of managers.csv).
void set_email_if_none(SQLite::Database& db, std::int64_t user_id, std::string_view email);

enum class outbox_state { pending, held, sent, undeliverable, digested };
std::string_view to_string(outbox_state s);

struct outbox_entry {
    mail_kind kind = mail_kind::new_ticket;
    std::int64_t ticket_id = 0;
    std::int64_t event_seq = 0;     // unknown_sender: the mail_received id it answers
    std::int64_t recipient_id = 0;  // users.id; 0: `address` alone (a test mail, an unknown sender's answer)
    std::string address;
    outbox_state state = outbox_state::pending;  // pending or held (for the recipient's digest)
};
// Queues one mail, due at once; returns its id.
std::int64_t insert_outbox(SQLite::Database& db, const outbox_entry& e, time_ms now);

struct outbox_row {
    std::int64_t id = 0;
    mail_kind kind = mail_kind::new_ticket;
    std::int64_t ticket_id = 0;
    std::int64_t event_seq = 0;
    std::int64_t recipient_id = 0;
    std::string address;
    int attempts = 0;
    time_ms created_at = 0;
};
// At most `limit` pending mails due at `now`, oldest first.
std::vector<outbox_row> due_outbox(SQLite::Database& db, time_ms now, int limit);
// When the next pending mail is due, if any.
std::optional<time_ms> next_outbox_due(SQLite::Database& db);
void mark_outbox_sent(SQLite::Database& db, const std::vector<std::int64_t>& ids, time_ms now);
// A failed attempt: tried again at `retry_at`, or undeliverable when `retry_at` is nullopt.
void mark_outbox_failed(SQLite::Database& db, std::int64_t id, std::string_view error, std::optional<time_ms> retry_at,
                        time_ms now);

struct undeliverable_mail {
    std::int64_t id = 0;
    mail_kind kind = mail_kind::new_ticket;
    std::string ticket_number;  // empty: about no ticket
    std::string recipient_name;
    std::string address;
    int attempts = 0;
    time_ms created_at = 0;
    time_ms given_up_at = 0;
    std::string error;
};
// The newest `limit` mails given up on, newest first.
std::vector<undeliverable_mail> list_undeliverable(SQLite::Database& db, int limit);
std::size_t count_undeliverable(SQLite::Database& db);
std::size_t count_pending(SQLite::Database& db);

// Notes that the time-driven `kind` was queued for `ticket_id`; false if it was already.
bool mark_notice_once(SQLite::Database& db, std::int64_t ticket_id, mail_kind kind, time_ms now);
// Open tickets that are at risk / breached at `now` (storage/sla_filters) or new since before `new_before`,
// and have no mark of `kind` yet; at most `limit`.
std::vector<std::int64_t> unmarked_at_risk(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                                           int limit);
std::vector<std::int64_t> unmarked_breached(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                                            int limit);
std::vector<std::int64_t> unmarked_unseen(SQLite::Database& db, time_ms new_before, int limit);

// Digests: the recipients with held mails, and one digest row made of all of them.
std::vector<std::int64_t> recipients_with_held_mail(SQLite::Database& db);
// Queues a digest for the recipient holding the held mails (they become `digested`); returns its id, or 0 if none
// were held.
std::int64_t queue_digest(SQLite::Database& db, std::int64_t recipient_id, time_ms now);
// The mails a digest gathers, oldest first.
std::vector<outbox_row> digest_items(SQLite::Database& db, std::int64_t digest_id);

} // namespace campusdesk
