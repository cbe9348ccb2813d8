#include "server/mail/mail_sender.hpp"

#include "server/http/log.hpp"
#include "server/mail/notifier.hpp"
#include "storage/database.hpp"
#include "storage/settings_repository.hpp"

#include <algorithm>
#include <cstring>

namespace campusdesk {
namespace {

// Mails per look: their marks are committed together, so a kill resends at most this many.
constexpr int batch_size = 50;
// With nothing due the sender still looks this often (a mail queued by another process, a retry that came due).
constexpr std::chrono::milliseconds idle_look{5000};

} // namespace

std::optional<time_ms> retry_delay(const mail_retry_policy& policy, int attempts) {
    if (attempts >= policy.max_attempts) return std::nullopt;
    time_ms delay = time_ms{policy.first_delay_seconds} * 1000;
    const time_ms most = time_ms{policy.max_delay_seconds} * 1000;
    for (int i = 1; i < attempts && delay < most; ++i) delay *= 2;
    return std::min(delay, most);
}

reply_token_key load_reply_token_key(const std::filesystem::path& data_dir) {
    // Its own connection and transaction, before the server writes: the writer's batches cannot nest one.
    auto db = open_writer_database(database_file(data_dir));
    const auto secret = load_or_create_secret(db, "mail_reply", 32);
    reply_token_key key{};
    std::memcpy(key.data(), secret.data(), key.size());
    return key;
}

mail_sender::mail_sender(app& a, mail_templates templates, reply_token_key key)
    : a_(a), templates_(std::move(templates)), key_(key), smtp_(a.config.mail.smtp),
      envelope_from_(mailbox_address(a.config.mail.from).value_or(a.config.mail.from)) {}

mail_sender::~mail_sender() { stop(); }

void mail_sender::start() { thread_ = std::thread([this] { run(); }); }

void mail_sender::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void mail_sender::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_one();
}

void mail_sender::run() {
    auto db = open_reader_database(database_file(a_.data_dir));
    for (;;) {
        std::chrono::milliseconds wait = idle_look;
        try {
            wait = send_due(db);
        } catch (const std::exception& e) {
            // A busy database or a full writer queue: try again shortly, never lose the thread.
            log_line(log_level::warning, "mail sender", {{"error", e.what()}});
            wait = std::chrono::milliseconds(1000);
        }
        std::unique_lock lock(mutex_);
        if (wait.count() > 0) wake_.wait_for(lock, wait, [this] { return woken_ || stopping_; });
        woken_ = false;
        if (stopping_) return;
    }
}

std::chrono::milliseconds mail_sender::send_due(SQLite::Database& db) {
    const time_ms now = now_ms();
    const auto rows = due_outbox(db, now, batch_size);
    if (rows.empty()) {
        const auto next = next_outbox_due(db);
        if (!next) return idle_look;
        return std::clamp(std::chrono::milliseconds(*next - now), std::chrono::milliseconds(1), idle_look);
    }
    const mail_context context{a_.config, a_.dir.current(), templates_, key_};
    std::vector<std::int64_t> sent;
    struct failure {
        std::int64_t id;
        std::string error;
        std::optional<time_ms> retry_at;
    };
    std::vector<failure> failed;
    const auto fail = [&](const outbox_row& row, const std::string& error) {
        const auto delay = retry_delay(a_.config.mail.retry, row.attempts + 1);
        failed.push_back({row.id, error, delay ? std::optional<time_ms>(now_ms() + *delay) : std::nullopt});
        log_line(log_level::warning, "mail not delivered",
                 {{"outbox_id", row.id}, {"attempt", row.attempts + 1}, {"error", error}, {"undeliverable", !delay}});
    };
    for (auto row = rows.begin(); row != rows.end(); ++row) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        const auto mail = render_notification(context, db, *row);
        if (!mail.message) {
            failed.push_back({row->id, mail.problem, std::nullopt});  // nothing to retry
            continue;
        }
        const auto result = smtp_.send(envelope_from_, mail.message->to_address, compose_mime(*mail.message));
        if (result.ok) {
            sent.push_back(row->id);
            continue;
        }
        fail(*row, result.error);
        if (result.server_unreachable) {
            // The rest would fail alike: each is deferred as if tried (as an MTA defers its queue), so the
            // retries and max_attempts count time with the server down, not one mail after the other.
            for (auto rest = std::next(row); rest != rows.end(); ++rest) fail(*rest, result.error);
            break;
        }
    }
    if (!sent.empty() || !failed.empty()) {
        const time_ms done = now_ms();
        a_.storage->writer().run([&](SQLite::Database& w) {
            mark_outbox_sent(w, sent, done);
            for (const auto& f : failed) mark_outbox_failed(w, f.id, f.error, f.retry_at, done);
        });
    }
    a_.metrics.mail_sent += sent.size();
    for (const auto& f : failed) {
        ++a_.metrics.mail_failed;
        if (!f.retry_at) {
            ++a_.metrics.mail_undeliverable;
            log_line(log_level::error, "mail undeliverable", {{"outbox_id", f.id}, {"error", f.error}});
        }
    }
    return std::chrono::milliseconds(0);
}

void mails_queued(app& a, std::size_t count) {
    if (count == 0) return;
    a.metrics.mail_queued += count;
    if (a.mailer) a.mailer->wake();
}

net::awaitable<void> queue_time_notices_periodically(app& a, net::steady_timer& timer, std::chrono::milliseconds period) {
    constexpr int chunk = 500;
    for (;;) {
        const time_ms now = now_ms();
        try {
            const auto queued = co_await a.storage->write([&](SQLite::Database& db) {
                return queue_time_notices(a.config.mail, a.calendar, db, now, chunk);
            });
            mails_queued(a, queued);
        } catch (const std::exception& e) {
            log_line(log_level::warning, "time-driven notifications failed", {{"error", e.what()}});
        }
        timer.expires_after(period);
        auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
    }
}

} // namespace campusdesk
