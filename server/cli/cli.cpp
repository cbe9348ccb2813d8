#include "server/cli/cli.hpp"
#include "storage/device_repository.hpp"

#include "server/http/log.hpp"
#include "core/german_holidays.hpp"
#include "core/local_time.hpp"
#include "server/tickets/attachment_handlers.hpp"
#include "server/cli/cli_options.hpp"
#include "server/config_loader.hpp"
#include "server/accounts/credentials.hpp"
#include "server/cli/demo_data.hpp"
#include "server/dispatch/dispatch_handlers.hpp"
#include "server/http/http_server.hpp"
#include "server/accounts/password_quality.hpp"
#include "server/reports/report_pages.hpp"
#include "server/http/router.hpp"
#include "server/mail/imap_fetcher.hpp"
#include "server/reports/sla_export.hpp"
#include "server/cli/ticket_import.hpp"
#include "server/tickets/ticket_service.hpp"
#include "server/mail/mail_check.hpp"
#include "server/mail/mail_sender.hpp"
#include "server/privacy/personal_export.hpp"
#include "server/privacy/retention.hpp"
#include "server/provider/provider_site.hpp"
#include "storage/provider_repository.hpp"
#include "server/maintenance/maintenance_service.hpp"
#include "storage/backup.hpp"
#include "storage/database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <sys/stat.h>

namespace campusdesk {
namespace {

constexpr const char* usage_text =
    "usage:\n"
    "  campusdesk serve        [--config FILE] [--data DIR] [--listen ADDR:PORT] [--demo [--demo-state SN]]\n"
    "  campusdesk import       [--config FILE] [--data DIR] FILE.jsonl\n"
    "  campusdesk devices import [--config FILE] [--data DIR] [--format NAME] [--dry-run] FILE.csv\n"
    "  campusdesk export-sla   [--config FILE] [--data DIR] (--month YYYY-MM | --last-month) --format csv|csv-de|json|xlsx\n"
    "                          [--sep comma|semicolon] [--out FILE]\n"
    "  campusdesk backup       [--config FILE] [--data DIR] --out FILE\n"
    "  campusdesk restore      [--config FILE] [--data DIR] FILE    (into an empty data directory)\n"
    "  campusdesk provider-admin add LOGIN [--config PROVIDER.toml] [--data DIR]   (password: one line of stdin)\n"
    "  With a provider's config ([[tenants]], docs/tenants.md), every command but serve, check-config and\n"
    "  provider-admin acts on one tenant: add --tenant SLUG (--data then names the provider's data directory).\n"
    "  campusdesk user add LOGIN --role ROLE --name NAME [--school NUMBER] [--email ADDRESS] [--password-stdin]\n"
    "  campusdesk user email LOGIN ADDRESS    (an empty ADDRESS: no mail)\n"
    "  campusdesk user passwd|disable LOGIN [--password-stdin]\n"
    "  campusdesk user token LOGIN [--days N] [--label TEXT]\n"
    "  campusdesk user sessions LOGIN\n"
    "  campusdesk user revoke LOGIN (--id ID | --all)\n"
    "  campusdesk user export LOGIN [--out FILE]   (everything stored about the person, JSON)\n"
    "  campusdesk user erase LOGIN                 (anonymised everywhere; ticket figures stay)\n"
    "  campusdesk retention apply [--config FILE] [--data DIR]\n"
    "  campusdesk sla recompute [--config FILE] [--data DIR]\n"
    "  campusdesk check-config [--config FILE]\n"
    "  campusdesk mail test    [--config FILE] ADDRESS\n";

net::ip::tcp::endpoint parse_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) throw cli_usage_error("--listen expects ADDR:PORT");
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    const auto port_text = text.substr(colon + 1);
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port > 65535)
        throw cli_usage_error("--listen: invalid port");
    boost::system::error_code address_error;
    auto address = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, address_error);
    if (address_error) throw cli_usage_error(fmt::format("--listen: invalid address {}", host));
    return {address, static_cast<unsigned short>(port)};
}

std::size_t thread_count(const app_config& config) {
    if (config.threads > 0) return static_cast<std::size_t>(config.threads);
    return std::max(1u, std::thread::hardware_concurrency());
}

// `--demo-state XX`: the demo of a school authority in another state, configured by demo/<xx>/campusdesk.toml
// beside the config (its own schools, managers, holidays file and holiday_state). NW, the default, is the
// config itself: the Dortmund demo.
std::filesystem::path demo_config_path(const cli_options& args, const std::filesystem::path& config_path) {
    if (!args.has("demo-state")) return config_path;
    if (!args.has("demo")) throw cli_usage_error("--demo-state needs --demo");
    const auto state = args.get("demo-state");
    if (!is_known_state(state))
        throw cli_usage_error(fmt::format("--demo-state: unknown German state \"{}\" (two letters, e.g. SN, RP)", state));
    if (state == "NW") return config_path;
    std::string dir = state;
    std::transform(dir.begin(), dir.end(), dir.begin(), [](unsigned char ch) { return std::tolower(ch); });
    auto path = config_path.parent_path() / "demo" / dir / "campusdesk.toml";
    if (!std::filesystem::exists(path))
        throw cli_usage_error(fmt::format("--demo-state {}: there is no demo for this state ({} is missing)", state,
                                          path.string()));
    return path;
}

// One authority's start-up before the first request: its templates (loaded once, shared by a provider's tenants),
// its stored figures brought in line with its config, and the demo's data.
void prepare_authority(app& a, const page_renderer& pages) {
    a.pages = pages;
    // Stored SLA figures follow the policy and calendar in force: after a change (or an upgrade) recompute them
    // before answering, since lists carry them forward instead of reading every ticket's events.
    const auto recomputed = a.storage->writer().run(
        [&](SQLite::Database& db) { return recompute_sla_if_settings_changed(db, a.sla(), now_ms()); });
    if (recomputed && *recomputed > 0)
        log_line(log_level::info, "SLA settings changed: recomputed the stored SLA figures", {{"tickets", *recomputed}});
    // Problem devices are kept for [devices] problem_tickets; a changed number recomputes them once.
    if (a.storage->writer().run(
            [&](SQLite::Database& db) { return refresh_problem_since(db, a.config.devices.problem_tickets); }))
        log_line(log_level::info, "device problem rule changed: recomputed the problem devices",
                 {{"tickets", a.config.devices.problem_tickets}});
    if (a.demo && load_demo_data(a))
        log_line(log_level::info, "demo data loaded");
}

// What runs beside one authority's requests: its mail threads and its periodic jobs.
class authority_jobs {
public:
    // Mail (issue 17): one reply-token key signs the notifications' reply addresses and reads the answers.
    authority_jobs(app& a, net::io_context& ioc, const std::filesystem::path& templates)
        : a_(a), ioc_(ioc), auto_close_(ioc), orphan_sweep_(ioc), retention_(ioc), maintenance_(ioc),
          time_notices_(ioc) {
        if (!a.config.mail.enabled) return;
        const auto reply_key = load_reply_token_key(a.data_dir);
        // The sender thread and the time-driven notices.
        mailer_ = std::make_unique<mail_sender>(a, load_mail_templates(templates), reply_key);
        a.mailer = mailer_.get();
        mailer_->start();
        // Incoming mail: the support mailbox polled on a thread of its own.
        if (!a.config.mail.imap.url.empty()) {
            fetcher_ = std::make_unique<imap_fetcher>(a, mail_intake_keys_for(a.config.mail, reply_key));
            fetcher_->start();
        }
    }

    // Resolved tickets close by themselves once the reopen window has passed: checked at start-up and every
    // 10 minutes, so a ticket closes at most 10 minutes after its window ends.
    // Each background job on its own strand: on a bare io_context with two threads, a job's coroutine resumed
    // on one thread (a read finished on the reader pool) while the other was still leaving the step that started
    // that read (asio's awaitable pump), which ASan caught as a use-after-free at start-up (CI, sanitized server
    // tests). A strand runs one step of its coroutine at a time.
    void start() {
        net::co_spawn(net::make_strand(ioc_), close_expired_resolutions_periodically(a_, auto_close_, std::chrono::minutes(10)),
                      net::detached);
        net::co_spawn(net::make_strand(ioc_), warm_report_cache(a_), net::detached);
        // Files of uploads refused after they were stored: removed at start-up and every hour.
        net::co_spawn(net::make_strand(ioc_), remove_orphan_files_periodically(a_, orphan_sweep_, std::chrono::hours(1)),
                      net::detached);
        // Retention (docs/datenschutz.md): checked every 10 minutes, applied once a day after [retention] hour.
        net::co_spawn(net::make_strand(ioc_), apply_retention_daily(a_, retention_, std::chrono::minutes(10)), net::detached);
        // Maintenance tasks (docs/maintenance.md): checked every 10 minutes, generated once a day (and at start-up).
        net::co_spawn(net::make_strand(ioc_), generate_maintenance_daily(a_, maintenance_, std::chrono::minutes(10)),
                      net::detached);
        // SLA warnings and breaches, unseen tickets, outages and digests: checked every minute.
        if (mailer_)
            net::co_spawn(net::make_strand(ioc_), queue_time_notices_periodically(a_, time_notices_, std::chrono::minutes(1)),
                          net::detached);
    }

    void cancel() {
        auto_close_.cancel();
        orphan_sweep_.cancel();
        retention_.cancel();
        maintenance_.cancel();
        time_notices_.cancel();
    }

    // Once the io threads have stopped, before the authority's storage stops.
    void stop_mail() {
        if (fetcher_) fetcher_->stop();  // before storage: a batch in progress finishes its writes
        if (mailer_) {
            mailer_->stop();  // its last marks go through the writer, which stops next
            a_.mailer = nullptr;
        }
    }

private:
    app& a_;
    net::io_context& ioc_;
    std::unique_ptr<mail_sender> mailer_;
    std::unique_ptr<imap_fetcher> fetcher_;
    net::steady_timer auto_close_, orphan_sweep_, retention_, maintenance_, time_notices_;
};

// Serves until SIGTERM/SIGINT: stop accepting, let in-flight requests finish (at most 10 s), then stop.
void run_until_signalled(net::io_context& ioc, http_server& server, std::size_t threads,
                         const std::function<void()>& cancel_jobs) {
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    net::steady_timer drain(ioc);
    std::function<void(int)> wait_for_drain = [&](int waited_ms) {
        if (server.in_flight() == 0 || waited_ms >= 10000) {
            ioc.stop();
            return;
        }
        drain.expires_after(std::chrono::milliseconds(20));
        drain.async_wait([&, waited_ms](auto) { wait_for_drain(waited_ms + 20); });
    };
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        log_line(log_level::info, "shutting down");
        cancel_jobs();
        server.stop();
        wait_for_drain(0);
    });

    // The port is announced only once SIGTERM is handled, so a caller may stop the server right away.
    server.start();
    const auto local = server.local_endpoint();
    std::cout << fmt::format("listening on http://{}:{}", local.address().to_string(), local.port()) << std::endl;

    std::vector<std::thread> pool;
    for (std::size_t i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
}

// A provider's process (docs/tenants.md): one `app` per tenant, each with its data in <data>/tenants/<slug>/, on
// shared reader threads; requests go to the tenant their Host names, the provider's host to the provider's site.
int serve_provider(const cli_options& args, const std::filesystem::path& provider_path) {
    if (args.has("demo-state"))
        throw cli_usage_error("--demo-state: a provider's tenants name their states in their own configs");
    const auto provider = load_cli_provider_config(provider_path, std::cerr);
    // Every tenant's config before anything starts: one with errors stops the whole process, as one authority's.
    std::vector<app_config> configs;
    for (const auto& t : provider.tenants) {
        const auto path = tenant_config_path(provider_path, t);
        if (is_provider_config_file(path))
            throw cli_usage_error(fmt::format("tenant {}: {} is a provider's config, not a school authority's", t.slug,
                                              path.string()));
        configs.push_back(load_cli_config(path, std::cerr));
    }
    const auto endpoint = parse_listen(args.get("listen", provider.listen));
    const std::size_t threads =
        provider.threads > 0 ? static_cast<std::size_t>(provider.threads) : std::max(1u, std::thread::hardware_concurrency());
    const std::filesystem::path data_dir = args.has("data") ? args.get("data") : provider.data_dir;
    const auto templates = find_templates_dir(provider_path);
    page_renderer pages;
    pages.load(templates);
    const bool demo = args.has("demo");

    // Every tenant connection's page cache (SQLite fills it as pages are read): the bound of a busy provider's
    // memory is tenants x (reader threads + writer) x this (docs/tenants.md).
    set_page_cache_per_connection(provider.cache_mb_per_connection * 1000);
    // Before the tenants: they use its threads and hasher until they are gone.
    shared_pools pools(threads + 1);
    std::vector<std::unique_ptr<app>> apps;
    std::vector<tenant_site> sites;
    std::size_t min_body_rate = 0;
    for (std::size_t i = 0; i < provider.tenants.size(); ++i) {
        const auto& t = provider.tenants[i];
        const auto tenant_dir = tenant_data_dir(data_dir, t.slug);
        apps.push_back(std::make_unique<app>(std::move(configs[i]), tenant_dir, pools, demo, t.name));
        prepare_authority(*apps.back(), pages);
        sites.push_back({&t, apps.back().get()});
        const auto rate = apps.back()->config.limits.min_body_bytes_per_second;
        min_body_rate = i == 0 ? rate : std::min(min_body_rate, rate);
        log_line(log_level::info, "tenant ready",
                 {{"tenant", t.slug}, {"state", apps.back()->config.calendar.holiday_state},
                  {"data", tenant_dir.string()}});
    }
    const host_routes routes(provider, sites);
    provider_site site(provider, data_dir, sites, pools, pages, demo);
    if (demo && site.add_demo_admin()) log_line(log_level::info, "demo provider admin added", {{"login", "provider"}});

    net::io_context ioc(static_cast<int>(threads));
    std::vector<std::unique_ptr<authority_jobs>> jobs;
    for (auto& a : apps) jobs.push_back(std::make_unique<authority_jobs>(*a, ioc, templates));
    // Per request: one scan of the configured host names (host_routes), then exactly one authority's path.
    http_server server(
        ioc, endpoint,
        [&](http_request& req, const net::ip::address& peer) -> net::awaitable<http_response> {
            if (app* a = routes.tenant_of(req))
                return a->storage->handle(handle_request(*a, req, peer, std::chrono::steady_clock::now()));
            if (routes.is_provider_host(req)) return site.handle(req, peer);
            return site.unknown_host(req);
        },
        [&](const http_request& h) -> net::awaitable<std::size_t> {
            if (app* a = routes.tenant_of(h)) return body_limit_for(*a, h);
            return provider_site::body_limit(h);
        },
        min_body_rate,
        // Asked of every request: the paths first, so that only streams and exports look up the host here.
        [&](const http_request& req) {
            if (is_live_stream(req)) return routes.tenant_of(req) != nullptr;
            return provider_site::is_export(req) && routes.is_provider_host(req);
        },
        [&](http_request& req, beast::tcp_stream& stream, const http_server& srv) -> net::awaitable<void> {
            if (app* a = routes.tenant_of(req)) return serve_live_stream(*a, req, stream, srv);
            return site.serve_export(req, stream);
        });
    for (auto& j : jobs) j->start();
    run_until_signalled(ioc, server, threads, [&] {
        for (auto& j : jobs) j->cancel();
    });
    pools.reader_threads.join();  // no handler of any tenant runs from here on
    for (auto& j : jobs) j->stop_mail();
    for (auto& a : apps) a->storage->stop();
    log_line(log_level::info, "stopped");
    return 0;
}

int serve(const cli_options& args) {
    const auto config_path = cli_config_path(args);
    if (is_provider_config_file(config_path)) return serve_provider(args, config_path);
    auto config = load_cli_config(demo_config_path(args, config_path), std::cerr);
    const auto endpoint = parse_listen(args.get("listen", config.listen));
    const auto threads = thread_count(config);
    const auto data_dir = cli_data_dir(args, config);
    // Request handlers (and their reads) run on one thread more than the io threads: with exactly as many, a
    // core idled whenever a handler thread waited (a lease, the writer, a page fault). Measured A/B on the 1M
    // database: queue page +4-11 %, list API +5 %, ticket page +15 %; twice as many was slower.
    app a(std::move(config), data_dir, threads + 1, args.has("demo"));
    const auto templates = find_templates_dir(config_path);
    page_renderer pages;
    pages.load(templates);
    prepare_authority(a, pages);

    net::io_context ioc(static_cast<int>(threads));
    authority_jobs jobs(a, ioc, templates);
    http_server server(
        ioc, endpoint,
        [&a](http_request& req, const net::ip::address& peer) {
            return a.storage->handle(handle_request(a, req, peer, std::chrono::steady_clock::now()));
        },
        [&a](const http_request& h) { return body_limit_for(a, h); }, a.config.limits.min_body_bytes_per_second,
        is_live_stream,
        [&a](http_request& req, beast::tcp_stream& stream, const http_server& srv) {
            return serve_live_stream(a, req, stream, srv);
        });
    jobs.start();
    run_until_signalled(ioc, server, threads, [&] { jobs.cancel(); });
    jobs.stop_mail();
    a.storage->stop();
    log_line(log_level::info, "stopped");
    return 0;
}

// The password for `login`: one line of stdin held to the same rule as every password people set
// (server/password_quality), or a generated one that passes it.
std::string read_password(const cli_options& args, const std::string& login, bool& generated) {
    generated = !args.has("password-stdin");
    if (generated) return generate_initial_password(login);
    std::string password;
    std::getline(std::cin, password);
    if (password.ends_with('\r')) password.pop_back();  // a line written on Windows
    if (auto rejected = check_new_password(password, login))
        throw cli_usage_error(fmt::format("password refused ({}): {}", to_string(rejected->problem), rejected->message));
    return password;
}

// `provider-admin add LOGIN`: a provider admin (docs/tenants.md) in <data>/provider.db, the password from stdin.
int provider_admin_command(int argc, char** argv) {
    if (argc < 4 || std::string(argv[2]) != "add") throw cli_usage_error("provider-admin: expected add LOGIN");
    const std::string login = argv[3];
    auto args = parse_cli_options(argc, argv, 4, {}, {"config", "data"});
    const auto path = cli_config_path(args);
    if (!is_provider_config_file(path))
        throw cli_usage_error(fmt::format("provider-admin: {} is not a provider's config ([provider], [[tenants]])",
                                          path.string()));
    const auto provider = load_cli_provider_config(path, std::cerr);
    const std::filesystem::path data = args.has("data") ? args.get("data") : provider.data_dir;
    if (login.empty() || login.size() > 100) throw cli_usage_error("login must have 1 to 100 characters");
    args.options["password-stdin"] = "true";
    bool generated = false;
    const auto password = read_password(args, login, generated);
    std::filesystem::create_directories(data);
    auto db = open_provider_database(provider_database_file(data));
    if (!add_provider_admin(db, login, hash_password(password), now_ms()))
        throw cli_usage_error(fmt::format("provider admin {} exists already", login));
    log_line(log_level::info, "provider admin added", {{"provider_admin", login}, {"by", "cli"}});
    std::cout << fmt::format("provider admin {} added ({})", login, provider_database_file(data).string()) << std::endl;
    return 0;
}

int user_command(int argc, char** argv) {
    if (argc < 4) throw cli_usage_error("user: expected add|passwd|token|disable|sessions|revoke|export|erase LOGIN");
    const std::string action = argv[2];
    const std::string login = argv[3];
    // `user email LOGIN ADDRESS`: the address is the one positional argument after the login.
    const bool email_action = action == "email";
    if (email_action && argc < 5) throw cli_usage_error("user email: expected LOGIN ADDRESS (\"\" for none)");
    auto args = parse_cli_options(argc, argv, email_action ? 5 : 4, {"password-stdin", "all"},
                                  {"config", "data", "tenant", "role", "name", "school", "days", "label", "id", "email", "out"});
    auto config = load_cli_config(args, std::cerr);
    const auto data = cli_data_dir(args, config);
    std::filesystem::create_directories(data);
    write_queue writer(database_file(data), 16);
    const time_ms now = now_ms();
    if (action == "add") {
        user u;
        u.login = login;
        u.name = args.get("name", login);
        auto r = parse_role(args.get("role"));
        if (!r) throw cli_usage_error("--role must be teacher, campus_manager, dispatcher or admin");
        u.who = *r;
        if (login.empty() || login.size() > 100) throw cli_usage_error("login must have 1 to 100 characters");
        const auto email = args.get("email");
        if (!email.empty() && (email.size() > 254 || !is_email(email)))
            throw cli_usage_error("--email: not an e-mail address");
        if (!email.empty() && u.who == role::campus_manager)
            throw cli_usage_error("--email: a campus manager's address comes from managers.csv");
        // The directory as the server has it: the config's CSV files synced into the tables.
        const business_calendar calendar(config.calendar);
        writer.run([&](SQLite::Database& db) {
            log_directory_changes(sync_directory(db, config, {config.sla, calendar}, now));
            if (u.who != role::teacher) return;
            u.school_number = args.get("school");
            const auto school = find_school_record(db, u.school_number);
            if (!school || !school->active) throw cli_usage_error("--school: unknown school number");
        });
        bool generated = false;
        const auto password = read_password(args, login, generated);
        u.password_hash = hash_password(password);
        writer.run([&](SQLite::Database& db) {
            if (find_user_by_login(db, login)) throw cli_usage_error(fmt::format("user {} exists already", login));
            if (u.who == role::campus_manager) {
                auto m = find_manager_by_login(db, login);
                if (!m || !m->active) throw cli_usage_error(fmt::format("{} is not a campus manager in managers.csv", login));
                u.manager_id = m->id;
            }
            insert_user(db, u, now, email);
            append_audit(db, now, 0, "user_add", login, std::string(to_string(u.who)));
        });
        if (generated) std::cout << fmt::format("user {} added; initial password: {}", login, password) << std::endl;
        else std::cout << fmt::format("user {} added", login) << std::endl;
        return 0;
    }
    if (action == "passwd") {
        bool generated = false;
        const auto password = read_password(args, login, generated);
        const auto hash = hash_password(password);
        // Whoever knew the old password may hold a session or token made with it: all of them end.
        const auto ended = writer.run([&](SQLite::Database& db) {
            append_audit(db, now, 0, "user_passwd", login, "");
            return set_password_hash(db, login, hash);
        });
        if (!ended) throw std::runtime_error(fmt::format("no user {}", login));
        log_security(security_event::password_changed, {{"user", login}, {"by", "cli"}, {"ended", *ended}});
        if (generated) std::cout << fmt::format("new password for {}: {}", login, password) << std::endl;
        std::cerr << fmt::format("{} session(s) and token(s) of {} ended", *ended, login) << std::endl;
        return 0;
    }
    if (action == "token") {
        time_ms lifetime = config.sessions.token_lifetime;
        if (args.has("days")) {
            const auto text = args.get("days");
            int days = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
            if (ec != std::errc{} || end != text.data() + text.size() || days < 1 || days > 3650)
                throw cli_usage_error("--days must be 1 to 3650");
            lifetime = time_ms{days} * 24 * 3600 * 1000;
        }
        const auto label = args.get("label");
        if (label.size() > 100) throw cli_usage_error("--label must have at most 100 characters");
        const auto token = random_token();
        const bool ok = writer.run([&](SQLite::Database& db) {
            auto u = find_user_by_login(db, login);
            if (!u || u->disabled) return false;
            insert_api_token(db, token_digest(token), u->id, now, now + lifetime, label);
            append_audit(db, now, 0, "user_token", login, label);
            return true;
        });
        if (!ok) throw std::runtime_error(fmt::format("no active user {}", login));
        log_security(security_event::token_created, {{"user", login}, {"by", "cli"}, {"label", label}});
        std::cout << token << std::endl;
        std::cerr << fmt::format("valid until {} (id {})",
                                 format_iso8601(now + lifetime, date::locate_zone(config.calendar.time_zone)),
                                 credential_id_of(token_digest(token)))
                  << std::endl;
        return 0;
    }
    if (action == "sessions") {
        const auto zone = date::locate_zone(config.calendar.time_zone);
        const auto list = writer.run([&](SQLite::Database& db) {
            auto u = find_user_by_login(db, login);
            if (!u) throw std::runtime_error(fmt::format("no user {}", login));
            return list_credentials(db, u->id, now);
        });
        std::cout << "id            kind     created                    last used                  expires"
                     "                    label\n";
        for (const auto& c : list)
            std::cout << fmt::format("{}  {:<7}  {}  {:<25}  {}  {}\n", c.id, c.api_token ? "token" : "session",
                                     format_iso8601(c.created_at, zone),
                                     c.last_used_at ? format_iso8601(c.last_used_at, zone) : "-",
                                     format_iso8601(c.expires_at, zone), c.label);
        return 0;
    }
    if (action == "revoke") {
        if (args.has("id") == args.has("all")) throw cli_usage_error("revoke: give --id ID (from `user sessions`) or --all");
        const auto id = args.get("id");
        const auto ended = writer.run([&](SQLite::Database& db) -> std::size_t {
            auto u = find_user_by_login(db, login);
            if (!u) throw std::runtime_error(fmt::format("no user {}", login));
            const std::size_t n = id.empty() ? revoke_credentials(db, u->id) : revoke_credential(db, u->id, id) ? 1 : 0;
            if (n > 0) append_audit(db, now, 0, "user_revoke", login, id.empty() ? "all" : id);
            return n;
        });
        if (!id.empty() && ended == 0) throw std::runtime_error(fmt::format("{} has no session or token {}", login, id));
        log_security(security_event::sessions_revoked, {{"user", login}, {"by", "cli"}, {"ended", ended}});
        std::cout << fmt::format("{} session(s) and token(s) of {} ended", ended, login) << std::endl;
        return 0;
    }
    if (email_action) {
        const std::string address = argv[4];
        if (!address.empty() && (address.size() > 254 || !is_email(address)))
            throw cli_usage_error("user email: not an e-mail address");
        const bool ok = writer.run([&](SQLite::Database& db) {
            auto u = find_user_by_login(db, login);
            if (!u) throw std::runtime_error(fmt::format("no user {}", login));
            if (u->who == role::campus_manager)
                throw cli_usage_error("a campus manager's address comes from managers.csv");
            append_audit(db, now, 0, "user_email", login, address);
            return set_user_email(db, login, address);
        });
        if (!ok) throw std::runtime_error(fmt::format("no user {}", login));
        std::cout << (address.empty() ? fmt::format("{} gets no mail", login)
                                      : fmt::format("{} gets mail at {}", login, address))
                  << std::endl;
        return 0;
    }
    if (action == "disable") {
        const bool ok = writer.run([&](SQLite::Database& db) {
            append_audit(db, now, 0, "user_disable", login, "");
            return disable_user(db, login);
        });
        if (!ok) throw std::runtime_error(fmt::format("no user {}", login));
        std::cout << fmt::format("user {} disabled", login) << std::endl;
        return 0;
    }
    if (action == "export") {
        // Art. 15/20 DSGVO: everything stored about the person, to stdout or --out FILE; the export is audited.
        const auto person = writer.run([&](SQLite::Database& db) {
            auto p = load_personal_data(db, login);
            if (p) append_audit(db, now, 0, "user_export", login, "");
            return p;
        });
        if (!person) throw std::runtime_error(fmt::format("no user {}", login));
        const business_calendar calendar(config.calendar);
        const auto json = personal_export_json(*person, data / "attachments", calendar.zone());
        if (args.has("out")) {
            std::ofstream(args.get("out"), std::ios::binary) << json;
            std::cerr << fmt::format("user {}: {} tickets, {} texts, {} attachments written to {}", login,
                                     person->tickets.size(), person->events.size(), person->attachments.size(),
                                     args.get("out"))
                      << std::endl;
        } else {
            std::cout << json;
        }
        return 0;
    }
    if (action == "erase") {
        // Art. 17 DSGVO: the person is anonymised everywhere; ticket figures stay (docs/datenschutz.md).
        const bool ok = writer.run([&](SQLite::Database& db) {
            const auto person = find_user_by_login(db, login);
            if (!person || !erase_person(db, login, now)) return false;
            // The record that it was done names the account by its number only: the login was personal data.
            append_audit(db, now, 0, "user_erase", fmt::format("user #{}", person->id), "");
            return true;
        });
        if (!ok) throw std::runtime_error(fmt::format("no user {}", login));
        writer.run([&](SQLite::Database& db) {
            return remove_orphan_blobs(db, data / "attachments", std::chrono::hours(1));
        });
        std::cout << fmt::format("user {} erased: account anonymised, sessions and tokens ended, tickets filed by them "
                                 "anonymised, their uploads removed",
                                 login)
                  << std::endl;
        return 0;
    }
    throw cli_usage_error(fmt::format("user: unknown action {}", action));
}

// Sends one test mail through [mail.smtp] at once (not through the outbox) and says whether the server took it.
int mail_command(int argc, char** argv) {
    if (argc < 4 || std::string(argv[2]) != "test") throw cli_usage_error("mail: expected test ADDRESS");
    // The address is the last argument; options stand between "test" and it.
    const std::string address = argv[argc - 1];
    auto args = parse_cli_options(argc - 1, argv, 3, {}, {"config", "tenant"});
    auto config = load_cli_config(args, std::cerr);
    const auto config_path = args.has("config") ? std::filesystem::path(args.get("config")) : default_config_path();
    if (!is_email(address)) throw cli_usage_error(fmt::format("mail test: {} is not an e-mail address", address));
    const auto problems = check_mail_config(config, find_templates_dir(config_path));
    for (const auto& e : problems.errors) std::cerr << "error: " << e << '\n';
    if (!problems.errors.empty()) return 2;
    if (config.mail.smtp.url.empty() || config.mail.from.empty())
        throw cli_usage_error("mail test: [mail] from and [mail.smtp] url are needed");
    // Not about a ticket; the milliseconds make a Message-ID no earlier test had.
    const directory no_directory;
    const reply_token_key no_key{};
    const auto templates = load_mail_templates(find_templates_dir(config_path));
    const auto message = render_test_mail({config, no_directory, templates, no_key}, address, now_ms());
    smtp_client smtp(config.mail.smtp);
    const auto result = smtp.send(mailbox_address(config.mail.from).value_or(config.mail.from), address,
                                  compose_mime(message));
    if (!result.ok) {
        std::cerr << fmt::format("mail test: NOT sent to {} via {}: {}", address, config.mail.smtp.url, result.error)
                  << std::endl;
        return 1;
    }
    std::cout << fmt::format("mail test: sent to {} via {} (Message-ID {}); the server accepted it", address,
                             config.mail.smtp.url, message.message_id)
              << std::endl;
    return 0;
}

int backup_command(const cli_options& args) {
    auto config = load_cli_config(args, std::cerr);
    if (!args.has("out")) throw cli_usage_error("backup: --out FILE is required");
    const auto file = cli_database_file(args, config);
    if (!std::filesystem::exists(file)) throw std::runtime_error(fmt::format("no database at {}", file.string()));
    const auto s = write_backup(file, cli_data_dir(args, config) / "attachments", args.get("out"));
    std::cout << fmt::format("backup written to {}", args.get("out")) << '\n'
              << fmt::format("{} tickets, {} events, {} users, {} attachments ({} bytes, hashes checked), schema {}",
                             s.tickets, s.events, s.users, s.attachments, s.attachment_bytes, s.schema)
              << std::endl;
    return 0;
}

int restore_command(const cli_options& args) {
    auto config = load_cli_config(args, std::cerr);
    if (args.positional.size() != 1) throw cli_usage_error("restore: expected one backup FILE");
    const auto data = cli_data_dir(args, config);
    const auto s = restore_backup(args.positional.front(), data);
    std::cout << fmt::format("restored {} into {}: integrity ok, {} tickets, {} events, {} users, {} attachments "
                             "({} bytes, every hash verified), schema {}",
                             args.positional.front(), data.string(), s.tickets, s.events, s.users, s.attachments,
                             s.attachment_bytes, s.schema)
              << std::endl;
    return 0;
}

// The [retention] rules at once (the server applies them daily at [retention] hour).
int retention_command(const cli_options& args) {
    auto config = load_cli_config(args, std::cerr);
    const auto data = cli_data_dir(args, config);
    if (!std::filesystem::exists(database_file(data)))
        throw std::runtime_error(fmt::format("no database at {}", database_file(data).string()));
    write_queue writer(database_file(data), 16);
    const auto counts = apply_retention(writer, config.retention, data / "attachments", now_ms());
    std::cout << "retention applied: " << describe(counts) << std::endl;
    return 0;
}

// The inventory from an MDM's or the city's CSV export (docs/devices.md), all or nothing; the same as the API's and
// the page's import. Exit 2 with every error (line, column) when the file has any.
int devices_command(int argc, char** argv) {
    if (argc < 3 || std::string(argv[2]) != "import") throw cli_usage_error("devices: expected import FILE");
    auto args = parse_cli_options(argc, argv, 3, {"dry-run"}, {"config", "data", "tenant", "format"});
    if (args.positional.size() != 1) throw cli_usage_error("devices import: expected exactly one FILE.csv");
    const auto& path = args.positional.front();
    const auto config = load_cli_config(args, std::cerr);
    const auto format_name = args.get("format", config.devices.default_format);
    const auto* format = config.devices.find_format(format_name);
    if (!format) {
        std::string names;
        for (const auto& f : config.devices.formats) names += (names.empty() ? "" : ", ") + f.name;
        throw cli_usage_error(fmt::format("devices import: unknown format {} (known: {})", format_name, names));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw cli_usage_error(fmt::format("devices import: cannot read {}", path));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = read_device_csv(text, *format, [&](std::string_view number) { return config.find_school(number) != nullptr; });
    if (!parsed.errors.empty()) {
        for (const auto& e : parsed.errors) std::cerr << path << ": " << format_device_import_error(e) << '\n';
        if (parsed.more_errors) std::cerr << fmt::format("{}: … and {} more errors", path, parsed.more_errors) << '\n';
        std::cerr << fmt::format("campusdesk: {}: {} errors, nothing imported", path,
                                 parsed.errors.size() + parsed.more_errors)
                  << std::endl;
        return 2;
    }
    const auto file = cli_database_file(args, config);
    std::filesystem::create_directories(file.parent_path());
    write_queue writer(file, 16);
    const bool dry_run = args.has("dry-run");
    const auto rows = parsed.rows.size();
    const auto result = writer.run([&](SQLite::Database& db) {
        return import_devices(db, std::move(parsed.rows), now_ms(), dry_run, 0, format->name);
    });
    writer.stop();
    const auto& c = result.counts;
    std::cout << fmt::format("{}{} devices in {} ({}): {} added, {} updated, {} retired, {} unchanged",
                             dry_run ? "checked, nothing written: " : "imported ", rows, path, format->name, c.added,
                             c.updated, c.retired, c.unchanged)
              << '\n';
    for (const auto& d : result.retired)
        std::cout << fmt::format("{} {}: school {}, serial {}, inventory number {}", dry_run ? "would retire" : "retired",
                                 to_string(d.kind), d.school_number, d.serial,
                                 d.inventory_number.empty() ? "-" : d.inventory_number)
                  << '\n';
    std::cout.flush();
    return 0;
}

int dispatch(int argc, char** argv) {
    if (argc < 2) throw cli_usage_error("missing command");
    const std::string command = argv[1];
    if (command == "serve")
        return serve(parse_cli_options(argc, argv, 2, {"demo"}, {"config", "data", "listen", "demo-state"}));
    if (command == "check-config") {
        auto args = parse_cli_options(argc, argv, 2, {}, {"config"});
        return run_check_config(args.has("config") ? std::filesystem::path(args.get("config")) : default_config_path(),
                                std::cout, std::cerr);
    }
    if (command == "user") return user_command(argc, argv);
    if (command == "provider-admin") return provider_admin_command(argc, argv);
    if (command == "mail") return mail_command(argc, argv);
    if (command == "import") return run_import(argc, argv, 2);
    if (command == "devices") return devices_command(argc, argv);
    if (command == "export-sla") return run_export_sla(argc, argv, 2);
    if (command == "sla") {
        if (argc < 3 || std::string(argv[2]) != "recompute") throw cli_usage_error("sla: expected recompute");
        return run_sla_recompute(argc, argv, 3);
    }
    if (command == "backup") return backup_command(parse_cli_options(argc, argv, 2, {}, {"config", "data", "tenant", "out"}));
    if (command == "restore") return restore_command(parse_cli_options(argc, argv, 2, {}, {"config", "data", "tenant"}));
    if (command == "retention") {
        if (argc < 3 || std::string(argv[2]) != "apply") throw cli_usage_error("retention: expected apply");
        return retention_command(parse_cli_options(argc, argv, 3, {}, {"config", "data", "tenant"}));
    }
    if (command == "--help" || command == "help") {
        std::cout << usage_text;
        return 0;
    }
    throw cli_usage_error(fmt::format("unknown command {}", command));
}

} // namespace

int run_cli(int argc, char** argv) {
    // The database, its backups and exports and the attachments hold pupils' and teachers' data: never readable
    // by other accounts on the machine (files 0640, directories 0750), whatever umask the shell or cron had.
    ::umask(0027);
    try {
        init_credentials();
        return dispatch(argc, argv);
    } catch (const cli_usage_error& e) {
        std::cerr << "campusdesk: " << e.what() << '\n';
        if (argc < 2) std::cerr << usage_text;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "campusdesk: " << e.what() << '\n';
        return 1;
    }
}

} // namespace campusdesk
