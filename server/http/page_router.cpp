#include "server/http/page_router.hpp"

#include "server/accounts/account_pages.hpp"
#include "server/admin/admin_pages.hpp"
#include "server/accounts/login_pages.hpp"
#include "server/accounts/sso_pages.hpp"
#include "server/devices/device_pages.hpp"
#include "server/devices/equipment_pages.hpp"
#include "server/maintenance/maintenance_pages.hpp"
#include "server/dispatch/dispatch_handlers.hpp"
#include "server/http/form_body.hpp"
#include "server/http/responses.hpp"
#include "server/mail/triage_pages.hpp"
#include "server/problems/problem_pages.hpp"
#include "server/reports/report_pages.hpp"
#include "server/tickets/attachment_handlers.hpp"
#include "server/tickets/canned_reply_pages.hpp"
#include "server/tickets/ticket_pages.hpp"
#include "server/views/i18n.hpp"
#include "server/views/page_frame.hpp"

#include <optional>
#include <string_view>

namespace campusdesk {
namespace {

// What follows `prefix` in `path`, if the path starts with it.
std::optional<std::string_view> path_after(std::string_view path, std::string_view prefix) {
    if (!path.starts_with(prefix)) return std::nullopt;
    return path.substr(prefix.size());
}

} // namespace

bool is_upload_target(std::string_view target) {
    return target.ends_with("/attachments") || target.find("/attachments?") != std::string_view::npos;
}


net::awaitable<http_response> handle_page(app& a, http_request& req, const boost::urls::url_view& url,
                                          const net::ip::address& peer) {
    const std::string path = url.path();
    const auto method = req.method();
    const bool is_get = method == http::verb::get || method == http::verb::head;

    if (path == "/login") {
        if (is_get) co_return login_page(a, req, http::status::ok, "", "");
        if (method == http::verb::post) co_return co_await post_login(a, req, peer);
    }
    if (is_sso_path(path)) co_return co_await sso_page(a, req, url, peer);

    auto auth = co_await authenticate(a, req);
    auth.page_path = path;
    auth.lang = page_language(req, auth.who);
    if (auth.ambiguous)
        co_return error_page(a, auth, http::status::bad_request,
                             tr(auth.lang, "Ihr Browser hat zwei Anmelde-Cookies gesendet. Bitte die Cookies "
                                           "dieser Seite löschen und neu anmelden."));
    if (!auth.who) {
        if (is_get) co_return redirect("/login");
        co_return error_page(a, auth, http::status::unauthorized, tr(auth.lang, "Bitte zuerst anmelden."));
    }
    const auto& u = *auth.who;

    if (path == "/logout" && method == http::verb::post) {
        auto form = parse_form(req.body());
        if (!form || !csrf_ok(auth, field_or_empty(*form, "csrf")))
            co_return error_page(a, auth, http::status::forbidden,
                                 tr(auth.lang, "Abmelden fehlgeschlagen: Formular veraltet."));
        auto target = co_await logout_target(a, auth, req);
        co_await log_out(a, auth);
        auto res = redirect(target);
        res.set(http::field::set_cookie, expired_session_cookie(a));
        co_return res;
    }
    if (is_account_path(path)) co_return co_await account_page(a, req, auth, path);
    if (is_admin_path(path)) co_return co_await admin_page(a, req, auth, url);
    if (path == "/" && is_get)
        co_return redirect(u.who == role::teacher          ? "/tickets"
                           : u.who == role::campus_manager ? "/queue"
                                                           : "/dispatch");
    if (const auto id = path_after(path, "/attachments/"); id && is_get)
        co_return co_await serve_attachment(a, auth, std::string(*id));
    if (path == "/reports/sla" && is_get) co_return co_await sla_report_page(a, auth, url);
    if (path == "/dispatch" && is_get) co_return co_await dispatch_board_page(a, auth, url);
    if (path == "/dispatch/zuweisen" && method == http::verb::post) co_return co_await bulk_assign(a, req, auth);
    if (path == "/dispatch/undeliverable" && is_get) co_return co_await undeliverable_mail_page(a, auth);
    if (path == "/dispatch/telefon" && is_get) co_return co_await phone_intake_page(a, auth, url);
    if (path == "/dispatch/telefon" && method == http::verb::post) co_return co_await post_ticket_form(a, req, auth, true);
    if (path == "/dispatch/absences") co_return co_await absences_page(a, req, auth, "");
    if (const auto rest = path_after(path, "/dispatch/absences/"))
        co_return co_await absences_page(a, req, auth, std::string(*rest));
    if (path == "/dispatch/mail") co_return co_await mail_triage_page(a, req, auth, "");
    if (const auto rest = path_after(path, "/dispatch/mail/"))
        co_return co_await mail_triage_page(a, req, auth, std::string(*rest));
    if (path == "/textbausteine" || path.starts_with("/textbausteine/"))
        co_return co_await canned_replies_page(a, req, auth, url);
    if (path == "/tickets/new" && is_get) {
        auto form = ticket_form_data(a, auth, {}, {});
        if (u.who == role::teacher) co_await add_device_choices(a, u.school_number, auth.lang, form);
        std::string back = "/tickets/new";
        co_await add_problem_banner(a, auth, form, std::move(back));
        co_return html_response(http::status::ok, a.pages.page("ticket_form", std::move(form)));
    }
    if (const auto rest = path_after(path, "/geraete"); rest && (rest->empty() || rest->starts_with('/')))
        co_return co_await devices_page(a, req, auth, url, *rest);
    if (const auto rest = path_after(path, "/schulen"); rest && (rest->empty() || rest->starts_with('/')))
        co_return co_await schools_page(a, req, auth, url, *rest);
    if (const auto rest = path_after(path, "/wartung"); rest && (rest->empty() || rest->starts_with('/')))
        co_return co_await maintenance_page(a, req, auth, url, *rest);
    if (const auto rest = path_after(path, "/stoerungen"); rest && (rest->empty() || rest->starts_with('/')))
        co_return co_await problems_page(a, req, auth, *rest);
    if (path == "/tickets" && method == http::verb::post) co_return co_await post_ticket_form(a, req, auth);
    if (path == "/tickets" && is_get) co_return co_await list_page(a, auth, url, false);
    if (path == "/visits" && is_get) {
        if (!is_staff(u.who)) co_return not_found_page(a, auth);
        co_return co_await visit_plan_page(a, auth, url);
    }
    if (path == "/queue" && is_get) {
        if (!is_staff(u.who)) co_return not_found_page(a, auth);
        co_return co_await list_page(a, auth, url, true);
    }
    if (const auto rest = path_after(path, "/tickets/")) {
        const auto slash = rest->find('/');
        if (slash == std::string_view::npos && is_get)
            co_return co_await show_ticket_page(a, auth, std::string(*rest), url);
        if (slash == std::string_view::npos && method == http::verb::post) {
            const std::string number(*rest), named_by_form;
            co_return co_await post_ticket_action_form(a, req, auth, number, named_by_form, url);
        }
        if (slash != std::string_view::npos && method == http::verb::post) {
            const std::string number(rest->substr(0, slash)), action(rest->substr(slash + 1));
            if (action == "zusammenfuehren" || action == "verknuepfen")
                co_return co_await post_ticket_link_form(a, req, auth, number, action);
            co_return co_await post_ticket_action_form(a, req, auth, number, action, url);
        }
    }
    co_return not_found_page(a, auth);
}


} // namespace campusdesk
