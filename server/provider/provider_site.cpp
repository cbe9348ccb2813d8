#include "server/provider/provider_site.hpp"

#include "core/local_time.hpp"
#include "core/password_policy.hpp"
#include "server/accounts/auth.hpp"
#include "server/accounts/credentials.hpp"
#include "server/http/form_body.hpp"
#include "server/http/log.hpp"
#include "server/http/responses.hpp"
#include "server/reports/report_pages.hpp"
#include "server/views/i18n.hpp"
#include "storage/backup.hpp"
#include "storage/board_repository.hpp"
#include "storage/database.hpp"
#include "storage/provider_repository.hpp"
#include "storage/user_repository.hpp"

#include <boost/url.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace campusdesk {
namespace {

// Provider admins hold every tenant's data in their hands (an export): short sessions.
constexpr time_ms session_idle = 30LL * 60 * 1000;
constexpr time_ms session_lifetime = 8LL * 3600 * 1000;
constexpr time_ms session_touch_every = 60LL * 1000;
constexpr std::size_t form_body_limit = 64 * 1024;
constexpr std::string_view export_prefix = "/mandanten/";
constexpr std::string_view export_suffix = "/export";

// "/mandanten/<slug>/export" -> "<slug>" (empty if the path is not an export's).
std::string_view export_slug(std::string_view target) {
    if (!target.starts_with(export_prefix) || !target.ends_with(export_suffix)) return {};
    const auto slug = target.substr(export_prefix.size(), target.size() - export_prefix.size() - export_suffix.size());
    return slug.find('/') == std::string_view::npos ? slug : std::string_view();
}

std::string today_in(const app& a) {
    const auto d = local_date_of(now_ms(), a.calendar.zone());
    return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

} // namespace

// --- routing by host ----------------------------------------------------------------------------------------------

host_routes::host_routes(const provider_config& config, const std::vector<tenant_site>& tenants)
    : provider_host_(config.host) {
    for (const auto& t : tenants)
        for (const auto& h : t.entry->hosts) hosts_.emplace_back(h, t.a);
}

app* host_routes::tenant_of(const http_request& req) const {
    const auto sent = host_part(req[http::field::host]);
    for (const auto& [name, a] : hosts_)
        if (same_host(sent, name)) return a;
    return nullptr;
}

bool host_routes::is_provider_host(const http_request& req) const {
    return !provider_host_.empty() && same_host(host_part(req[http::field::host]), provider_host_);
}

// --- the provider's site ------------------------------------------------------------------------------------------

struct provider_site::session {
    std::string login;
    std::string csrf;
    std::string digest;
};

struct provider_site::export_result {
    std::optional<http_response> refused;  // set: answer this instead of a file
    std::filesystem::path file;
    std::string download_name;
};

provider_site::provider_site(const provider_config& config, const std::filesystem::path& data_dir,
                             std::vector<tenant_site> tenants, shared_pools& pools, const page_renderer& pages,
                             bool demo)
    : config_(config), data_dir_(data_dir), tenants_(std::move(tenants)), pools_(pools), pages_(pages), demo_(demo),
      db_((std::filesystem::create_directories(data_dir), open_provider_database(provider_database_file(data_dir)))) {}

bool provider_site::add_demo_admin() {
    std::lock_guard lock(db_mutex_);
    if (find_provider_admin(db_, "provider")) return false;
    return add_provider_admin(db_, "provider", hash_password("demo"), now_ms());
}

std::string provider_site::cookie_name(std::string_view base) const {
    return config_.served_over_https() ? fmt::format("__Host-{}", base) : std::string(base);
}

// Host-only (no Domain): a tenant's host never sees the provider's cookies, nor the provider's a tenant's.
std::string provider_site::cookie(std::string_view base, std::string_view value, time_ms max_age) const {
    return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}", cookie_name(base), value,
                       max_age / 1000, config_.served_over_https() ? "; Secure" : "");
}

net::awaitable<std::size_t> provider_site::body_limit(const http_request&) { co_return form_body_limit; }

bool provider_site::is_export(const http_request& req) {
    return req.method() == http::verb::post && !export_slug(req.target()).empty();
}

std::optional<provider_site::session> provider_site::authenticate(const http_request& req) {
    const auto token = find_cookie(req, cookie_name("cd_provider"));
    if (token.count != 1 || token.value.empty()) return std::nullopt;
    const auto digest = token_digest(token.value);
    const time_ms now = now_ms();
    std::lock_guard lock(db_mutex_);
    const auto found = find_provider_session(db_, digest, now);
    if (!found) return std::nullopt;
    if (found->last_seen_at + session_idle <= now) {
        delete_provider_session(db_, digest);
        return std::nullopt;
    }
    if (found->last_seen_at + session_touch_every <= now) touch_provider_session(db_, digest, now);
    return session{found->login, found->csrf_token, digest};
}

http_response provider_site::message_page(const http_request& req, http::status status, std::string_view title,
                                          std::string_view message, const std::string& page) const {
    const auto lang = page_language(req, std::nullopt);
    page_data d;
    d.set("lang", std::string(to_string(lang)));
    d.set("title", std::string(title));
    d.set("demo", demo_);
    d.set("message", std::string(message));
    return html_response(status, pages_.page(page, d));
}

net::awaitable<http_response> provider_site::unknown_host(const http_request& req) const {
    const auto lang = page_language(req, std::nullopt);
    co_return message_page(req, http::status::not_found, tr(lang, "Unbekannte Adresse"), {}, "unknown_host");
}

http_response provider_site::login_page(const http_request& req, http::status status, std::string error,
                                        std::string login) const {
    const auto lang = page_language(req, std::nullopt);
    // The double-submit token of a login form: there is no session yet. A well-formed one is kept (two tabs).
    auto token = find_cookie(req, cookie_name("cd_provider_login")).value;
    if (token.size() != 64 || !std::all_of(token.begin(), token.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        }))
        token = random_token();
    page_data d;
    d.set("lang", std::string(to_string(lang)));
    d.set("title", std::string(tr(lang, "Anmeldung für den IT-Dienstleister")));
    d.set("demo", demo_);
    d.set("provider_name", config_.name);
    d.set("login_csrf", token);
    d.set("error", std::move(error));
    d.set("login", std::move(login));
    auto res = html_response(status, pages_.page("provider_login", d));
    res.set(http::field::set_cookie, cookie("cd_provider_login", token, 3600 * 1000));
    return res;
}

net::awaitable<http_response> provider_site::post_login(const http_request& req, const net::ip::address& peer) {
    const auto lang = page_language(req, std::nullopt);
    auto say = [lang](std::string_view german) { return std::string(tr(lang, german)); };
    const auto form = is_form(req) ? parse_form(req.body()) : std::nullopt;
    if (!form) co_return login_page(req, http::status::bad_request, say("Ungültiges Formular."), "");
    const auto login = field_or_empty(*form, "login");
    const auto expected = find_cookie(req, cookie_name("cd_provider_login")).value;
    if (expected.empty() || !constant_time_equal(expected, field_or_empty(*form, "csrf")))
        co_return login_page(req, http::status::forbidden,
                             say("Die Anmeldeseite war veraltet. Bitte noch einmal versuchen."), login);
    const auto password = field_or_empty(*form, "password");
    if (login.empty() || password.empty() || login.size() > 200 || !password_fits_login(password))
        co_return login_page(req, http::status::unprocessable_entity, say("Bitte Benutzername und Passwort eingeben."),
                             login);
    const auto address = peer.to_string();
    const login_attempt attempt{login, address, {}};
    if (const auto wait = throttle_.wait_before(attempt, now_ms()); wait > 0) {
        log_security(security_event::login_throttled, {{"provider_admin", login}, {"address", address}});
        auto res = login_page(req, http::status::too_many_requests,
                              fmt::format(fmt::runtime(say("Zu viele Fehlversuche. Bitte in {} Sekunden erneut "
                                                           "versuchen.")),
                                          (wait + 999) / 1000),
                              login);
        res.set(http::field::retry_after, std::to_string((wait + 999) / 1000));
        co_return res;
    }
    std::optional<provider_admin> admin;
    {
        std::lock_guard lock(db_mutex_);
        admin = find_provider_admin(db_, login);
    }
    // An unknown login is checked against an empty hash, in the same time as a real one.
    const std::string hash = admin ? admin->password_hash : std::string();
    const auto verified = co_await pools_.hasher.verify(hash, password);
    if (!verified)
        co_return login_page(req, http::status::service_unavailable,
                             say("Gerade melden sich sehr viele an. Bitte gleich noch einmal versuchen."), login);
    if (!*verified) {
        throttle_.failed(attempt, now_ms());
        log_security(security_event::login_failed, {{"provider_admin", login}, {"address", address}});
        co_return login_page(req, http::status::unauthorized, say("Benutzername oder Passwort ist falsch."), login);
    }
    throttle_.succeeded(attempt);
    const auto token = random_token();
    const time_ms now = now_ms();
    {
        std::lock_guard lock(db_mutex_);
        delete_expired_provider_sessions(db_, now);
        insert_provider_session(db_, token_digest(token), admin->id, random_token(), now, now + session_lifetime);
    }
    log_security(security_event::login_succeeded, {{"provider_admin", admin->login}, {"address", address}});
    auto res = redirect("/");
    res.insert(http::field::set_cookie, cookie("cd_provider", token, session_lifetime));
    co_return res;
}

net::awaitable<http_response> provider_site::tenants_page(const http_request& req, const session& s) {
    const auto lang = page_language(req, std::nullopt);
    const time_ms now = now_ms();
    page_list rows;
    std::optional<report_month> shown;
    for (const auto& t : tenants_) {
        app& a = *t.a;
        // Each tenant's figures from its own database, with its own calendar and SLA policy (its state's holidays).
        const auto month = month_of(now, a.calendar.zone());
        if (!shown) shown = month;
        struct usage {
            std::size_t users = 0;
            int open = 0;
            sla_summary total;
        };
        const auto u = co_await a.storage->read([&](SQLite::Database& db) {
            usage x;
            x.users = count_users(db);
            for (const auto& [school, n] : count_open_by_school(db, {})) x.open += n;
            x.total = load_sla_report(db, a.config, a.calendar, month, now).total;
            return x;
        });
        page_data row;
        row.set("slug", t.entry->slug);
        row.set("name", t.entry->name);
        row.set("host", t.entry->hosts.front());
        row.set("state", a.config.calendar.holiday_state);
        row.set("schools", std::to_string(a.dir.current().schools.size()));
        row.set("users", std::to_string(u.users));
        row.set("open", std::to_string(u.open));
        row.set("tickets", std::to_string(u.total.tickets));
        row.set("first_response", report_percent(u.total.first_response_met_percent, lang));
        row.set("resolution", report_percent(u.total.resolution_met_percent, lang));
        row.set("breaches", std::to_string(u.total.breaches));
        row.set("csrf", s.csrf);
        rows.push_back(std::move(row));
    }
    page_data d;
    d.set("lang", std::string(to_string(lang)));
    d.set("title", std::string(tr(lang, "Mandanten")));
    d.set("demo", demo_);
    d.set("wide", true);
    d.set("provider_name", config_.name);
    d.set("admin_login", s.login);
    d.set("csrf", s.csrf);
    d.set("month_name", shown ? report_month_name(*shown, lang) : std::string());
    d.set("as_of", tenants_.empty() ? std::string()
                                    : format_datetime(now, tenants_.front().a->calendar.zone(), lang));
    d.set("tenants", std::move(rows));
    co_return html_response(http::status::ok, pages_.page("provider_tenants", d));
}

net::awaitable<http_response> provider_site::handle(http_request& req, net::ip::address peer) {
    auto operation = net::co_spawn(net::make_strand(pools_.reader_threads), route(req, peer), net::use_awaitable);
    co_return co_await std::move(operation);
}

net::awaitable<http_response> provider_site::route(http_request& req, net::ip::address peer) {
    const auto lang = page_language(req, std::nullopt);
    auto parsed = boost::urls::parse_origin_form(req.target());
    if (!parsed)
        co_return message_page(req, http::status::bad_request, tr(lang, "Fehler"), tr(lang, "Diese Seite gibt es nicht."));
    const std::string path = parsed->path();
    const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
    const bool post = req.method() == http::verb::post;
    if (path.starts_with("/static/") && get) {
        if (const auto* asset = pages_.asset(path.substr(8))) {
            auto res = text_response(http::status::ok, *asset,
                                     path.ends_with(".css") ? "text/css; charset=utf-8" : "application/octet-stream");
            res.set(http::field::cache_control, "public, max-age=3600");
            co_return res;
        }
    }
    if (path == "/healthz" && get) {
        std::lock_guard lock(db_mutex_);
        (void)database_answers(db_);
        co_return json_response(http::status::ok, boost::json::object{{"status", "ok"}});
    }
    if (path == "/login" && get) co_return login_page(req, http::status::ok, {}, {});
    if (path == "/login" && post) co_return co_await post_login(req, peer);
    const auto s = authenticate(req);
    if (path == "/" && get) {
        if (!s) co_return redirect("/login");
        co_return co_await tenants_page(req, *s);
    }
    if (path == "/logout" && post) {
        const auto form = is_form(req) ? parse_form(req.body()) : std::nullopt;
        if (s && (!form || !constant_time_equal(s->csrf, field_or_empty(*form, "csrf")))) {
            log_security(security_event::csrf_rejected, {{"provider_admin", s->login}});
            co_return message_page(req, http::status::forbidden, tr(lang, "Fehler"),
                                   tr(lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden."));
        }
        if (s) {
            std::lock_guard lock(db_mutex_);
            delete_provider_session(db_, s->digest);
            log_security(security_event::logout, {{"provider_admin", s->login}});
        }
        auto res = redirect("/login");
        res.set(http::field::set_cookie, cookie("cd_provider", "", 0));
        co_return res;
    }
    co_return message_page(req, http::status::not_found, tr(lang, "Fehler"), tr(lang, "Diese Seite gibt es nicht."));
}

provider_site::export_result provider_site::make_export(const http_request& req) {
    const auto lang = page_language(req, std::nullopt);
    export_result r;
    const auto s = authenticate(req);
    if (!s) {
        r.refused = redirect("/login");
        return r;
    }
    const auto form = is_form(req) ? parse_form(req.body()) : std::nullopt;
    if (!form || !constant_time_equal(s->csrf, field_or_empty(*form, "csrf"))) {
        log_security(security_event::csrf_rejected, {{"provider_admin", s->login}});
        r.refused = message_page(req, http::status::forbidden, tr(lang, "Fehler"),
                                 tr(lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden."));
        return r;
    }
    const auto slug = export_slug(req.target());
    const auto it = std::find_if(tenants_.begin(), tenants_.end(), [&](const tenant_site& t) { return t.entry->slug == slug; });
    if (it == tenants_.end()) {
        r.refused = message_page(req, http::status::not_found, tr(lang, "Fehler"),
                                 tr(lang, "Diesen Mandanten gibt es nicht."));
        return r;
    }
    // Written beside provider.db (never into a tenant's directory) and removed once sent.
    const auto dir = data_dir_ / "exports";
    std::filesystem::create_directories(dir);
    r.file = dir / fmt::format("{}-{}.backup", it->entry->slug, random_token().substr(0, 16));
    r.download_name = fmt::format("campusdesk-{}-{}.backup", it->entry->slug, today_in(*it->a));
    const auto summary =
        write_backup(database_file(it->a->data_dir), it->a->data_dir / "attachments", r.file);
    {
        std::lock_guard lock(db_mutex_);
        append_provider_audit(db_, now_ms(), s->login, "export", it->entry->slug);
    }
    log_line(log_level::info, "tenant exported",
             {{"tenant", it->entry->slug}, {"provider_admin", s->login}, {"tickets", summary.tickets},
              {"attachments", summary.attachments}, {"bytes", std::filesystem::file_size(r.file)}});
    return r;
}

net::awaitable<void> provider_site::serve_export(http_request& req, beast::tcp_stream& stream) {
    // The backup is written on a reader thread (SQLite, files); the connection's io thread sends it.
    auto work = [this, &req]() -> net::awaitable<export_result> { co_return make_export(req); };
    auto operation = net::co_spawn(net::make_strand(pools_.reader_threads), work(), net::use_awaitable);
    export_result r;
    try {
        r = co_await std::move(operation);
    } catch (const std::exception& e) {
        log_line(log_level::error, "tenant export failed", {{"error", e.what()}});
        const auto lang = page_language(req, std::nullopt);
        r.refused = message_page(req, http::status::internal_server_error, tr(lang, "Fehler"),
                                 tr(lang, "Die Sicherung ist fehlgeschlagen; der Grund steht im Protokoll."));
    }
    stream.expires_after(std::chrono::minutes(30));
    if (r.refused) {
        r.refused->version(req.version());
        r.refused->keep_alive(false);
        r.refused->prepare_payload();
        co_await http::async_write(stream, *r.refused, net::as_tuple(net::use_awaitable));
    } else {
        http::response<http::file_body> res{http::status::ok, req.version()};
        beast::error_code ec;
        res.body().open(r.file.c_str(), beast::file_mode::scan, ec);
        // Unlinked at once: the open file is sent, and nothing stays behind if the client goes away.
        std::filesystem::remove(r.file);
        if (!ec) {
            res.set(http::field::server, "campusdesk");
            res.set(http::field::content_type, "application/vnd.sqlite3");
            res.set(http::field::content_disposition, fmt::format("attachment; filename=\"{}\"", r.download_name));
            res.set(http::field::cache_control, "no-store");
            res.set("X-Content-Type-Options", "nosniff");
            res.keep_alive(false);
            res.prepare_payload();
            co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
        }
    }
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

} // namespace campusdesk
