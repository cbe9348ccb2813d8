// The support mailbox over IMAP (libcurl): every poll_seconds (mode "poll"), or as soon as the server reports new
// mail on a waiting IMAP IDLE connection and at the latest after poll_seconds (mode "idle"), the configured mailbox's
// messages are fetched by
// UID, taken (mail_intake: a ticket, a reply, triage or ignored, each recorded) and moved to done_mailbox (created
// if missing; UID MOVE, or COPY + \Deleted + EXPUNGE where MOVE is missing). A mail whose move failed is found again
// at the next poll, recognised by its recorded Message-ID and only moved. Runs on a thread of its own: neither the
// blocking IMAP calls nor the parsing ever run on the io or reader threads.
#pragma once

#include "server/mail/mail_intake.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace campusdesk {

// One IMAP connection (a libcurl easy handle): the commands the fetcher needs.
class imap_session {
public:
    // `stop` aborts a running transfer when it becomes true.
    imap_session(const imap_config& config, const std::atomic<bool>& stop);
    ~imap_session();
    imap_session(const imap_session&) = delete;
    imap_session& operator=(const imap_session&) = delete;

    // UIDs of the messages in the configured mailbox, ascending.
    std::vector<std::uint64_t> list_uids();
    // The whole message; nullopt if it is larger than `max_bytes` (then left where it is).
    std::optional<std::string> fetch(std::uint64_t uid, std::size_t max_bytes);
    // Creates the mailbox unless it exists.
    void ensure_mailbox(const std::string& name);
    // Moves the messages into `mailbox` (one command for all).
    void move(const std::vector<std::uint64_t>& uids, const std::string& mailbox);

private:
    std::string command(const std::string& url, const std::string& request);
    std::string perform(const std::string& url, const std::string& request, std::size_t max_bytes);

    const imap_config& config_;
    const std::atomic<bool>& stop_;
    void* curl_;
    std::string server_url_;   // "imap://host:port/"
    std::string mailbox_url_;  // server_url_ + mailbox
    bool has_move_ = true;
};

// One IMAP IDLE wait (RFC 2177) on a connection of its own: libcurl logs in (CONNECT_ONLY), then the commands
// SELECT, IDLE and DONE go over that connection with curl_easy_send/recv.
enum class idle_result {
    changed,      // the mailbox holds more than `left` messages, or the server reported new mail or hung up
    timed_out,    // nothing happened within the limit
    unsupported,  // the server refused IDLE
    stopped,
};
idle_result imap_idle(const imap_config& config, const std::atomic<bool>& stop, std::size_t left,
                      std::chrono::seconds limit);

// The fetch loop on its own thread; stopped (and joined) by stop() or the destructor.
class imap_fetcher {
public:
    imap_fetcher(app& a, mail_intake_keys keys);
    ~imap_fetcher();
    imap_fetcher(const imap_fetcher&) = delete;
    imap_fetcher& operator=(const imap_fetcher&) = delete;

    void start();
    void stop();

private:
    void run();
    // One poll: every message in the mailbox, in batches taken concurrently (their writes share group commits).
    // Returns how many messages it left there (too large, or to be tried again).
    std::size_t poll_once();
    // Until the next poll: poll_seconds, or with IDLE until new mail arrives (at most poll_seconds).
    void wait_for_mail(std::size_t left);

    app& a_;
    mail_intake_keys keys_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::set<std::uint64_t> too_large_;  // logged once, left in the mailbox
    bool idle_refused_ = false;          // the server refused IDLE once: polling from then on
};

} // namespace campusdesk
