// Incoming mail as recorded (issue 17): one row per mail taken from the support mailbox, so that none is taken
// twice, with what became of it; the raw bytes of every mail that is not wholly in a ticket, so that none is lost.
#pragma once

#include "core/ticket.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

// What became of a mail: a new ticket, a reply on one, the help desk's triage list, left alone (auto-reply,
// bounce, list, our own), failed (an error; kept for a person), or discarded from triage by a dispatcher.
enum class mail_outcome { ticket, reply, triage, ignored, failed, discarded };
std::string_view to_string(mail_outcome o);

struct received_mail {
    std::int64_t id = 0;
    std::string message_key;
    time_ms received_at = 0;
    std::string sender;
    std::string sender_name;
    std::string subject;
    mail_outcome outcome = mail_outcome::failed;
    std::string reason;
    std::int64_t ticket_id = 0;  // 0: none
    std::string ticket_number;   // of ticket_id, for pages
    std::int64_t handled_by = 0;
    time_ms handled_at = 0;
    bool raw_kept = false;
};

// Records a mail as being taken, with its raw bytes (outcome failed, "interrupted", until finish_received_mail),
// in the caller's transaction; nothing if the key was taken before.
std::optional<std::int64_t> begin_received_mail(SQLite::Database& db, std::string_view message_key, time_ms now,
                                                std::string_view sender, std::string_view sender_name,
                                                std::string_view subject, std::string_view raw);
// The final outcome; the raw bytes are dropped unless `keep_raw`.
void finish_received_mail(SQLite::Database& db, std::int64_t id, mail_outcome outcome, std::string_view reason,
                          std::int64_t ticket_id, bool keep_raw);

// The mails waiting for the help desk (triage and failed), oldest first, at most `limit`.
std::vector<received_mail> list_mail_for_triage(SQLite::Database& db, std::size_t limit);
std::size_t count_mail_for_triage(SQLite::Database& db);
std::optional<received_mail> find_received_mail(SQLite::Database& db, std::int64_t id);
std::optional<std::string> load_raw_mail(SQLite::Database& db, std::int64_t id);
// A dispatcher's decision on a mail in triage (or failed): made into a ticket or discarded. False if the mail is
// not waiting (any more): decided meanwhile by someone else.
bool settle_triage_mail(SQLite::Database& db, std::int64_t id, mail_outcome outcome, std::int64_t ticket_id,
                        std::int64_t by, time_ms now);

// Claims the polite answer to an unknown sender (schema 12): true, and noted, if `address` (any case) was not
// answered within the `interval` before `now`; false otherwise, so whatever it sends gets one answer a day.
bool claim_unknown_sender_answer(SQLite::Database& db, std::string_view address, time_ms now, time_ms interval);

} // namespace campusdesk
