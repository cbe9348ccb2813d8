#include "server/mail/imap_fetcher.hpp"

#include "core/text.hpp"
#include "server/http/log.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <map>
#include <sstream>

namespace campusdesk {
namespace {

void init_curl() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct transfer {
    std::string data;
    std::size_t max_bytes = 0;
    bool too_large = false;
    const std::atomic<bool>* stop = nullptr;
};

std::size_t on_data(char* ptr, std::size_t size, std::size_t n, void* user) {
    auto& t = *static_cast<transfer*>(user);
    if (t.data.size() + size * n > t.max_bytes) {
        t.too_large = true;
        return 0;  // aborts the transfer
    }
    t.data.append(ptr, size * n);
    return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<transfer*>(user)->stop->load() ? 1 : 0;
}

// An IMAP quoted string (RFC 3501): the fetcher's mailbox names are ASCII (check-config refuses others).
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// "imap://host:993/INBOX" -> ("imap://host:993/", "INBOX"); no path: INBOX.
std::pair<std::string, std::string> split_url(const std::string& url) {
    const auto scheme = url.find("://");
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (slash == std::string::npos) return {url + "/", "INBOX"};
    auto mailbox = url.substr(slash + 1);
    if (const auto semicolon = mailbox.find(';'); semicolon != std::string::npos) mailbox.resize(semicolon);
    while (!mailbox.empty() && mailbox.back() == '/') mailbox.pop_back();
    return {url.substr(0, slash + 1), mailbox.empty() ? "INBOX" : mailbox};
}

// Percent-encoding for a mailbox name in a URL path.
std::string url_path(const std::string& name) {
    std::string out;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

// Where and how to connect and log in: the same for the fetching session and the IDLE connection.
void set_connection(CURL* curl, const std::string& url, const imap_config& config) {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, config.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, config.password.c_str());
    curl_easy_setopt(curl, CURLOPT_USE_SSL, config.tls == "required"        ? CURLUSESSL_ALL
                                            : config.tls == "opportunistic" ? CURLUSESSL_TRY
                                                                            : CURLUSESSL_NONE);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
}

// "* 12 EXISTS" -> 12.
std::optional<std::size_t> exists_count(std::string_view line) {
    if (!line.starts_with("* ") || !line.ends_with(" EXISTS")) return std::nullopt;
    const auto digits = line.substr(2, line.size() - 2 - 7);
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return n;
}

using steady = std::chrono::steady_clock;

// A line-oriented IMAP conversation over a connection that libcurl opened and logged in (CONNECT_ONLY): libcurl
// keeps TLS and authentication; the commands libcurl has no words for (IDLE, DONE) go through curl_easy_send/recv.
class raw_imap {
public:
    raw_imap(const imap_config& config, const std::atomic<bool>& stop) : stop_(stop) {
        init_curl();
        curl_ = curl_easy_init();
        if (!curl_) throw std::runtime_error("libcurl: no handle");
        const auto [server, mailbox] = split_url(config.url);
        int length = 0;
        char* decoded = curl_easy_unescape(curl_, mailbox.data(), static_cast<int>(mailbox.size()), &length);
        mailbox_.assign(decoded ? decoded : "", decoded ? static_cast<std::size_t>(length) : 0);
        curl_free(decoded);
        set_connection(curl_, server, config);
        // Bounds libcurl's own waits: the login, and the LOGOUT it sends when the handle is cleaned up.
        curl_easy_setopt(curl_, CURLOPT_SERVER_RESPONSE_TIMEOUT, 15L);
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_CONNECT_ONLY, 1L);
        if (const auto code = curl_easy_perform(curl_); code != CURLE_OK) {
            curl_easy_cleanup(curl_);
            throw std::runtime_error(fmt::format("IMAP login: {}", curl_easy_strerror(code)));
        }
        curl_easy_getinfo(curl_, CURLINFO_ACTIVESOCKET, &socket_);
    }
    ~raw_imap() { curl_easy_cleanup(curl_); }
    raw_imap(const raw_imap&) = delete;
    raw_imap& operator=(const raw_imap&) = delete;

    const std::string& mailbox() const { return mailbox_; }

    void send(std::string_view text) {
        const auto deadline = steady::now() + std::chrono::seconds(15);
        while (!text.empty()) {
            std::size_t sent = 0;
            const auto code = curl_easy_send(curl_, text.data(), text.size(), &sent);
            if (code == CURLE_AGAIN) {
                if (!wait(POLLOUT, deadline, false)) throw std::runtime_error("IMAP: cannot send");
                continue;
            }
            if (code != CURLE_OK) throw std::runtime_error(fmt::format("IMAP send: {}", curl_easy_strerror(code)));
            text.remove_prefix(sent);
        }
    }

    // The next line without its CRLF; nullopt when `deadline` passed (or, if `interruptible`, stop was asked) first.
    std::optional<std::string> line(steady::time_point deadline, bool interruptible) {
        for (;;) {
            if (const auto end = buffer_.find("\r\n"); end != std::string::npos) {
                std::string out = buffer_.substr(0, end);
                buffer_.erase(0, end + 2);
                return out;
            }
            char chunk[4096];
            std::size_t got = 0;
            const auto code = curl_easy_recv(curl_, chunk, sizeof chunk, &got);
            if (code == CURLE_AGAIN) {
                // Everything libcurl had decrypted is read: now the socket itself has to become readable.
                if (!wait(POLLIN, deadline, interruptible)) return std::nullopt;
                continue;
            }
            if (code != CURLE_OK) throw std::runtime_error(fmt::format("IMAP receive: {}", curl_easy_strerror(code)));
            if (got == 0) throw std::runtime_error("IMAP: the server closed the connection");
            buffer_.append(chunk, got);
            if (buffer_.size() > 1024 * 1024) throw std::runtime_error("IMAP: an answer line without end");
        }
    }

    // Lines up to the answer tagged `tag`, which is returned; the untagged ones before it go to `untagged`.
    std::string tagged(std::string_view tag, std::chrono::seconds limit, std::vector<std::string>& untagged) {
        const auto deadline = steady::now() + limit;
        for (;;) {
            auto l = line(deadline, false);
            if (!l) throw std::runtime_error(fmt::format("IMAP: no answer to {}", tag));
            if (l->starts_with(tag) && l->size() > tag.size() && (*l)[tag.size()] == ' ') return *l;
            untagged.push_back(std::move(*l));
        }
    }

private:
    // Waits until the socket is ready for `events`; false at `deadline`, or when stop is asked if `interruptible`.
    bool wait(short events, steady::time_point deadline, bool interruptible) {
        for (;;) {
            if (interruptible && stop_) return false;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
            if (left.count() <= 0) return false;
            pollfd fd{static_cast<int>(socket_), events, 0};
            // Short slices, so that a stop is seen within a quarter second.
            const int ready = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 250)));
            if (ready > 0) return true;
            if (ready < 0 && errno != EINTR) throw std::runtime_error("IMAP: poll failed");
        }
    }

    const std::atomic<bool>& stop_;
    CURL* curl_ = nullptr;
    curl_socket_t socket_ = CURL_SOCKET_BAD;
    std::string mailbox_;
    std::string buffer_;
};

} // namespace

idle_result imap_idle(const imap_config& config, const std::atomic<bool>& stop, std::size_t left,
                      std::chrono::seconds limit) {
    raw_imap c(config, stop);
    std::vector<std::string> untagged;
    c.send("i1 SELECT " + quoted(c.mailbox()) + "\r\n");
    if (const auto answer = c.tagged("i1", std::chrono::seconds(30), untagged); !answer.starts_with("i1 OK"))
        throw std::runtime_error("IMAP SELECT: " + answer);
    // Mail that came between the poll and this SELECT is not announced again: the count shows it.
    for (const auto& l : untagged)
        if (const auto n = exists_count(l); n && *n > left) return idle_result::changed;
    c.send("i2 IDLE\r\n");
    for (;;) {
        auto l = c.line(steady::now() + std::chrono::seconds(30), false);
        if (!l) throw std::runtime_error("IMAP: no answer to IDLE");
        if (l->starts_with("i2 ")) return idle_result::unsupported;  // NO or BAD: no IDLE here
        if (l->starts_with("+")) break;
    }
    auto result = idle_result::timed_out;
    const auto until = steady::now() + limit;
    for (;;) {
        auto l = c.line(until, true);
        if (!l) {
            if (stop) result = idle_result::stopped;
            break;
        }
        if (const auto n = exists_count(*l); n && *n > left) {
            result = idle_result::changed;
            break;
        }
        if (l->starts_with("* BYE")) return idle_result::changed;  // the server ends the session: poll anew
    }
    // IDLE ends with DONE and its tagged answer; then a proper LOGOUT, so the server closes cleanly.
    c.send("DONE\r\n");
    untagged.clear();
    c.tagged("i2", std::chrono::seconds(10), untagged);
    c.send("i3 LOGOUT\r\n");
    c.tagged("i3", std::chrono::seconds(10), untagged);
    return result;
}

imap_session::imap_session(const imap_config& config, const std::atomic<bool>& stop)
    : config_(config), stop_(stop) {
    init_curl();
    curl_ = curl_easy_init();
    if (!curl_) throw std::runtime_error("libcurl: no handle");
    auto [server, mailbox] = split_url(config.url);
    server_url_ = server;
    mailbox_url_ = server + url_path(mailbox);
}

imap_session::~imap_session() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

std::string imap_session::perform(const std::string& url, const std::string& request, std::size_t max_bytes) {
    auto* curl = static_cast<CURL*>(curl_);
    transfer t;
    t.max_bytes = max_bytes;
    t.stop = &stop_;
    curl_easy_reset(curl);
    set_connection(curl, url, config_);
    // A stalled server: below 1 byte/s for 60 s ends the transfer (large mails may take long, stalls may not).
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    if (!request.empty()) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.c_str());
    const auto code = curl_easy_perform(curl);
    if (t.too_large) throw std::length_error("message too large");
    if (code != CURLE_OK)
        throw std::runtime_error(fmt::format("IMAP {}: {}", request.empty() ? "FETCH" : request,
                                             curl_easy_strerror(code)));
    return std::move(t.data);
}

std::string imap_session::command(const std::string& url, const std::string& request) {
    return perform(url, request, 16 * 1024 * 1024);
}

std::vector<std::uint64_t> imap_session::list_uids() {
    const auto answer = command(mailbox_url_, "UID SEARCH ALL");
    std::vector<std::uint64_t> uids;
    std::istringstream lines(answer);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with("* SEARCH")) continue;
        std::istringstream words(line.substr(8));
        for (std::string word; words >> word;) {
            std::uint64_t uid = 0;
            const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), uid);
            if (ec == std::errc{} && uid > 0) uids.push_back(uid);
        }
    }
    std::sort(uids.begin(), uids.end());
    return uids;
}

std::optional<std::string> imap_session::fetch(std::uint64_t uid, std::size_t max_bytes) {
    try {
        return perform(fmt::format("{}/;UID={}", mailbox_url_, uid), "", max_bytes);
    } catch (const std::length_error&) {
        return std::nullopt;
    }
}

void imap_session::ensure_mailbox(const std::string& name) {
    const auto list = command(server_url_, "LIST \"\" " + quoted(name));
    if (list.find("* LIST") != std::string::npos) return;
    command(server_url_, "CREATE " + quoted(name));
}

void imap_session::move(const std::vector<std::uint64_t>& uids, const std::string& mailbox) {
    if (uids.empty()) return;
    std::string set;
    for (auto uid : uids) set += fmt::format("{}{}", set.empty() ? "" : ",", uid);
    if (has_move_) {
        try {
            command(mailbox_url_, fmt::format("UID MOVE {} {}", set, quoted(mailbox)));
            return;
        } catch (const std::runtime_error&) {
            has_move_ = false;  // no MOVE extension (RFC 6851): the classic way from now on
        }
    }
    command(mailbox_url_, fmt::format("UID COPY {} {}", set, quoted(mailbox)));
    command(mailbox_url_, fmt::format("UID STORE {} +FLAGS.SILENT (\\Deleted)", set));
    command(mailbox_url_, "EXPUNGE");
}

imap_fetcher::imap_fetcher(app& a, mail_intake_keys keys) : a_(a), keys_(std::move(keys)) {}

imap_fetcher::~imap_fetcher() { stop(); }

void imap_fetcher::start() { thread_ = std::thread([this] { run(); }); }

void imap_fetcher::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void imap_fetcher::run() {
    const auto& cfg = a_.config.mail.imap;
    log_line(log_level::info, cfg.mode == "idle" ? "incoming mail: waiting with IMAP IDLE" : "incoming mail: polling",
             {{"mailbox", split_url(cfg.url).second}, {"seconds", cfg.poll_seconds}});
    while (!stop_) {
        try {
            wait_for_mail(poll_once());
            continue;
        } catch (const std::exception& e) {
            if (!stop_) log_line(log_level::warning, "incoming mail: poll failed", {{"error", e.what()}});
        }
        // After a failure, whichever it was, the next try waits poll_seconds.
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::seconds(cfg.poll_seconds), [this] { return stop_.load(); });
    }
}

void imap_fetcher::wait_for_mail(std::size_t left) {
    const auto& cfg = a_.config.mail.imap;
    if (cfg.mode == "idle" && !idle_refused_) {
        // RFC 2177: an IDLE is renewed within 29 minutes, or the server may drop it as inactive.
        const auto limit = std::chrono::seconds(std::min(cfg.poll_seconds, 29 * 60));
        if (imap_idle(cfg, stop_, left, limit) != idle_result::unsupported) return;
        idle_refused_ = true;
        log_line(log_level::warning, "incoming mail: the server refused IDLE; polling", {{"seconds", cfg.poll_seconds}});
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::seconds(cfg.poll_seconds), [this] { return stop_.load(); });
}

std::size_t imap_fetcher::poll_once() {
    const auto& cfg = a_.config.mail.imap;
    imap_session session(cfg, stop_);
    const auto uids = session.list_uids();
    if (uids.empty()) return 0;
    std::size_t moved = 0;
    session.ensure_mailbox(cfg.done_mailbox);
    // A mail may carry as many files as an upload and some text around them.
    const std::size_t max_bytes =
        a_.config.limits.max_upload_bytes * 2 * (a_.config.limits.max_files_per_upload + 1) + 1024 * 1024;
    constexpr std::size_t batch_size = 32;
    for (std::size_t first = 0; first < uids.size() && !stop_; first += batch_size) {
        struct item {
            std::uint64_t uid;
            std::string raw;
            incoming_mail mail;
            bool taken = false;
        };
        std::vector<item> batch;
        for (std::size_t i = first; i < std::min(uids.size(), first + batch_size) && !stop_; ++i) {
            if (too_large_.contains(uids[i])) continue;
            auto raw = session.fetch(uids[i], max_bytes);
            if (!raw) {
                too_large_.insert(uids[i]);
                log_line(log_level::warning, "incoming mail: too large, left in the mailbox",
                         {{"uid", uids[i]}, {"max_bytes", max_bytes}});
                continue;
            }
            batch.push_back({uids[i], std::move(*raw), {}, false});
        }
        // Taken on an io_context of this thread: one sender's mails in their order (answers stay in sequence), different
        // senders' concurrently, so that the storage writes of a batch share group commits.
        std::map<std::string, std::vector<item*>> by_sender;
        for (auto& it : batch) {
            it.mail = parse_incoming_mail(it.raw, keys_.own);
            by_sender[ascii_lower(it.mail.from.address)].push_back(&it);
        }
        net::io_context ioc;
        auto guard = net::make_work_guard(ioc);
        std::size_t pending = by_sender.size();
        for (auto& [sender, items] : by_sender) {
            net::co_spawn(
                ioc,
                [this, &items]() -> net::awaitable<void> {
                    for (auto* it : items) {
                        try {
                            auto result = co_await take_mail(a_, keys_, it->raw, it->mail);
                            (void)result;
                            it->taken = true;
                        } catch (const std::exception& e) {
                            log_line(log_level::warning, "incoming mail: not taken, tried again at the next poll",
                                     {{"uid", it->uid}, {"error", e.what()}});
                        }
                    }
                },
                [&](std::exception_ptr) {
                    if (--pending == 0) guard.reset();
                });
        }
        if (pending == 0) guard.reset();
        ioc.run();
        // Moved only once recorded, so a crash before the move makes the next poll find it taken and only move it.
        std::vector<std::uint64_t> taken;
        for (const auto& it : batch)
            if (it.taken) taken.push_back(it.uid);
        session.move(taken, cfg.done_mailbox);
        moved += taken.size();
    }
    return uids.size() - moved;
}

} // namespace campusdesk
