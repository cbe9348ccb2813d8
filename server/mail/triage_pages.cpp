#include "server/mail/triage_pages.hpp"

#include "core/local_time.hpp"
#include "core/text.hpp"
#include "server/http/form_body.hpp"
#include "server/http/responses.hpp"
#include "server/mail/mail_intake.hpp"
#include "server/views/i18n.hpp"
#include "server/views/page_frame.hpp"

#include <fmt/format.h>

namespace campusdesk {
namespace {

constexpr std::size_t shown = 100;

net::awaitable<http_response> list_page(app& a, const auth_state& auth, http::status status, std::string message,
                                        std::int64_t failed_id, std::string typed_login) {
    auto rows = co_await a.storage->read([&](SQLite::Database& db) {
        std::vector<std::pair<received_mail, std::string>> out;
        for (auto& m : list_mail_for_triage(db, shown)) {
            auto raw = load_raw_mail(db, m.id);
            out.emplace_back(std::move(m), raw ? std::move(*raw) : std::string());
        }
        return std::pair{std::move(out), count_mail_for_triage(db)};
    });
    const auto lang = auth.lang;
    auto d = base_data(a, auth, std::string(tr(lang, "E-Mail-Eingang")));
    page_list list;
    for (const auto& [m, raw] : rows.first) {
        const auto parsed = parse_incoming_mail(raw);
        page_data row;
        row.set("id", std::to_string(m.id));
        row.set("received", format_datetime(m.received_at, a.calendar.zone(), lang));
        row.set("sender", m.sender.empty() ? std::string(tr(lang, "(ohne Absender)")) : m.sender);
        row.set("sender_name", m.sender_name);
        row.set("subject", m.subject.empty() ? std::string(tr(lang, "(ohne Betreff)")) : m.subject);
        row.set("reason", m.reason);
        row.set("failed", m.outcome == mail_outcome::failed);
        row.set("ticket", m.ticket_number);
        row.set("text", utf8_prefix(parsed.text, 600) + (utf8_length(parsed.text) > 600 ? " …" : ""));
        row.set("attachments", std::to_string(parsed.attachments.size()));
        row.set("raw", m.raw_kept);
        if (m.id == failed_id) {
            row.set("error", message);
            row.set("teacher", typed_login);
        }
        list.push_back(row);
    }
    d.set("mails", list);
    d.set("count", std::to_string(rows.second));
    d.set("more", rows.second > rows.first.size());
    if (failed_id == 0 && !message.empty()) d.set("notice", message);
    co_return html_response(status, a.pages.page("mail_triage", std::move(d)));
}

} // namespace

net::awaitable<http_response> mail_triage_page(app& a, http_request& req, const auth_state& auth,
                                               const std::string& rest) {
    if (!is_help_desk(auth.who->who)) co_return not_found_page(a, auth);
    const bool is_get = req.method() == http::verb::get || req.method() == http::verb::head;
    if (rest.empty() && is_get) co_return co_await list_page(a, auth, http::status::ok, "", 0, "");
    if (rest.ends_with(".eml") && is_get) {
        const auto id = parse_id(std::string_view(rest).substr(0, rest.size() - 4));
        auto raw = co_await a.storage->read([&](SQLite::Database& db) {
            return id ? load_raw_mail(db, *id) : std::nullopt;
        });
        if (!raw) co_return not_found_page(a, auth);
        // A download, never shown inline: the mail's HTML must not run in our origin.
        auto res = text_response(http::status::ok, std::move(*raw), "application/octet-stream");
        res.set(http::field::content_disposition, fmt::format("attachment; filename=\"mail-{}.eml\"", *id));
        res.set(http::field::cache_control, "no-store");
        co_return res;
    }
    const auto slash = rest.find('/');
    if (req.method() != http::verb::post || slash == std::string::npos) co_return not_found_page(a, auth);
    const auto id = parse_id(std::string_view(rest).substr(0, slash));
    const auto action = rest.substr(slash + 1);
    if (!id || (action != "ticket" && action != "discard")) co_return not_found_page(a, auth);
    auto parsed = parse_form(req.body());
    auto form = parsed.value_or(form_fields{});
    if (!parsed || !csrf_ok(auth, form["csrf"]))
        co_return error_page(a, auth, http::status::forbidden,
                             tr(auth.lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden."));
    if (action == "discard") {
        if (auto refused = co_await discard_triage(a, *auth.who, *id))
            co_return co_await list_page(a, auth, refused->status, refused->message, 0, "");
        co_return redirect("/dispatch/mail");
    }
    const auto login = std::string(trim(form["teacher"]));
    auto made = co_await ticket_from_triage(a, *auth.who, *id, login);
    if (auto* refused = std::get_if<request_error>(&made))
        co_return co_await list_page(a, auth, refused->status, refused->message,
                                     refused->status == http::status::not_found ? 0 : *id, login);
    co_return redirect("/tickets/" + std::get<std::string>(made));
}

} // namespace campusdesk
