#include "server/mail/imap_fetcher.hpp"

#include "core/text.hpp"
#include "server/http/log.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

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

} // namespace

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
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, config_.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.password.c_str());
    curl_easy_setopt(curl, CURLOPT_USE_SSL, config_.tls == "required"        ? CURLUSESSL_ALL
                                            : config_.tls == "opportunistic" ? CURLUSESSL_TRY
                                                                             : CURLUSESSL_NONE);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
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
    log_line(log_level::info, "incoming mail: polling",
             {{"mailbox", split_url(a_.config.mail.imap.url).second}, {"seconds", a_.config.mail.imap.poll_seconds}});
    while (!stop_) {
        try {
            poll_once();
        } catch (const std::exception& e) {
            if (!stop_) log_line(log_level::warning, "incoming mail: poll failed", {{"error", e.what()}});
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::seconds(a_.config.mail.imap.poll_seconds), [this] { return stop_.load(); });
    }
}

void imap_fetcher::poll_once() {
    const auto& cfg = a_.config.mail.imap;
    imap_session session(cfg, stop_);
    const auto uids = session.list_uids();
    if (uids.empty()) return;
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
    }
}

} // namespace campusdesk
