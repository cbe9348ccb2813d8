// The sender thread (issue 17): takes due mails from the outbox, renders them, delivers them over SMTP and marks
// them sent through the writer. At-least-once: a mail is marked after the server accepted it, so a kill between
// the two sends it again after a restart, with the same Message-ID (the receiver drops the repeat). A failed mail
// is tried again after [mail.retry]'s growing delays and, after max_attempts, marked undeliverable for the help
// desk to see.
#pragma once

#include "server/app.hpp"
#include "server/mail/notification_mail.hpp"
#include "server/mail/smtp_client.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace campusdesk {

// The delay before attempt `attempts + 1` of a mail that failed `attempts` times (>= 1): first_delay, doubled each
// time, at most max_delay; nullopt once max_attempts are used up.
std::optional<time_ms> retry_delay(const mail_retry_policy& policy, int attempts);

// The reply-token key of this installation (settings "mail_reply", made on first use).
reply_token_key load_reply_token_key(const std::filesystem::path& data_dir);

class mail_sender {
public:
    mail_sender(app& a, mail_templates templates, reply_token_key key);
    ~mail_sender();
    mail_sender(const mail_sender&) = delete;
    mail_sender& operator=(const mail_sender&) = delete;

    void start();
    // Finishes the mail being sent (its mark is committed) and stops.
    void stop();
    // Mail was queued: look now instead of at the next planned time.
    void wake();

private:
    void run();
    // Sends one batch of due mails; returns how long to wait before the next look.
    std::chrono::milliseconds send_due(SQLite::Database& db);

    app& a_;
    mail_templates templates_;
    reply_token_key key_;
    smtp_client smtp_;
    std::string envelope_from_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

// Counts mails queued by a committed write and wakes the sender.
void mails_queued(app& a, std::size_t count);

// Runs the time-driven notices (SLA warnings and breaches, unseen tickets, outages, digests) now and then every
// `period` on the writer, until `timer` is cancelled.
net::awaitable<void> queue_time_notices_periodically(app& a, net::steady_timer& timer, std::chrono::milliseconds period);

} // namespace campusdesk
