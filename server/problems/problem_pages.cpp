#include "server/problems/problem_pages.hpp"

#include "core/local_time.hpp"
#include "core/text.hpp"
#include "server/http/form_body.hpp"
#include "server/http/responses.hpp"
#include "server/problems/problem_service.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/views/page_frame.hpp"

#include <fmt/format.h>

namespace campusdesk {
namespace {

http_response stale_form(const app& a, const auth_state& auth) {
    return error_page(a, auth, http::status::forbidden, tr(auth.lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden."));
}

// "09:12" today, "05.10.2026, 09:12" on another day: the banner's "seit".
std::string since_text(const app& a, time_ms t, time_ms now, language lang) {
    const auto* zone = a.calendar.zone();
    const auto full = format_datetime(t, zone, lang);
    if (local_date_of(t, zone) == local_date_of(now, zone)) return full.substr(full.find(", ") + 2);
    return full;
}

std::string schools_text(const app& a, const known_problem& p, language lang) {
    if (p.all_schools) return std::string(tr(lang, "alle Schulen"));
    std::string text;
    for (const auto& n : p.schools) {
        const auto* s = a.dir.school(n);
        text += (text.empty() ? "" : ", ") + (s ? fmt::format("{} ({})", s->name, n) : n);
    }
    return text;
}

page_data problem_data(const app& a, const known_problem& p, time_ms now, language lang) {
    const auto* zone = a.calendar.zone();
    page_data d;
    d.set("id", std::to_string(p.id));
    d.set("title", p.title);
    d.set("description", p.description);
    d.set("since", since_text(a, p.started_at, now, lang));
    d.set("declared", format_datetime(p.declared_at, zone, lang));
    d.set("schools", schools_text(a, p, lang));
    d.set("priority", std::string(priority_label(p.prio, lang)));
    d.set("priority_id", std::string(to_string(p.prio)));
    if (p.expected_at) d.set("expected", format_datetime(*p.expected_at, zone, lang));
    d.set("resolved", !p.open());
    if (p.resolved_at) d.set("resolved_at", format_datetime(*p.resolved_at, zone, lang));
    d.set("resolution", p.resolution);
    return d;
}

// Where "Ich bin auch betroffen" goes back to: the teacher's form, their list, or the problem's own page.
std::string safe_return(std::string_view wanted, std::int64_t id) {
    if (wanted == "/tickets/new" || wanted == "/tickets") return std::string(wanted);
    return "/stoerungen/" + std::to_string(id);
}

std::vector<std::string> split_numbers(std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    for (const char c : text) {
        if (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ';') {
            if (!current.empty()) out.push_back(std::exchange(current, {}));
        } else {
            current += c;
        }
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

// The declaration form, empty, prefilled from an outage suggestion, or refused with its errors.
http_response declare_form(const app& a, const auth_state& auth, const problem_draft& d, const std::string& expected,
                           const std::vector<field_error>& errors) {
    auto data = base_data(a, auth, std::string(errors.empty() ? tr(auth.lang, "Bekannte Störung erklären")
                                                             : tr(auth.lang, "Fehler: Bekannte Störung erklären")));
    data.set("form_title", d.title);
    data.set("form_description", d.description);
    data.set("form_all_schools", d.all_schools);
    page_list schools;
    // One version of the directory for the whole list (an admin may move a school meanwhile).
    const auto& dir = a.dir.current();
    for (const auto& s : dir.schools) {
        page_data item;
        item.set("number", s.number);
        item.set("name", s.name);
        item.set("selected", std::find(d.schools.begin(), d.schools.end(), s.number) != d.schools.end());
        schools.push_back(std::move(item));
    }
    data.set("school_options", std::move(schools));
    std::vector<std::pair<std::string, std::string>> priorities{{"", std::string(tr(auth.lang, "aus den Tickets (ohne Tickets: kritisch)"))}};
    for (const auto p : all_priorities)
        priorities.emplace_back(std::string(to_string(p)), std::string(priority_label(p, auth.lang)));
    data.set("priority_options", select_options(priorities, d.priority));
    data.set("form_expected", expected);
    std::string tickets;
    for (const auto& t : d.tickets) tickets += (tickets.empty() ? "" : ", ") + t;
    data.set("form_tickets", tickets);
    data.set("has_errors", !errors.empty());
    page_list summary;
    for (const auto& e : errors) {
        page_data item;
        item.set("target", e.field.empty() ? std::string("title") : e.field);
        item.set("message", e.message);
        summary.push_back(std::move(item));
        data.set(e.field + "_error", e.message);
    }
    data.set("error_summary", std::move(summary));
    return html_response(errors.empty() ? http::status::ok : http::status::unprocessable_entity,
                         a.pages.page("problems_form", std::move(data)));
}

net::awaitable<http_response> post_declaration(app& a, http_request& req, const auth_state& auth) {
    const auto& u = *auth.who;
    auto form = parse_form(req.body());
    if (!form || !csrf_ok(auth, field_or_empty(*form, "csrf"))) co_return stale_form(a, auth);
    if (!is_staff(u.who)) co_return not_found_page(a, auth);
    problem_draft d;
    d.title = field_or_empty(*form, "title");
    d.description = field_or_empty(*form, "description");
    d.all_schools = field_or_empty(*form, "all_schools") == "1";
    d.schools = form_values(req.body(), "schools");
    d.priority = field_or_empty(*form, "priority");
    d.tickets = split_numbers(field_or_empty(*form, "tickets"));
    const auto expected = field_or_empty(*form, "expected_at");
    if (!expected.empty()) {
        d.expected_at = parse_local_datetime(expected, a.calendar.zone());
        if (!d.expected_at)
            co_return declare_form(a, auth, d, expected,
                                   {{"expected_at", "invalid_time", std::string(tr(auth.lang, "Bitte Datum und Uhrzeit angeben (TT.MM.JJJJ, hh:mm)."))}});
    }
    auto result = co_await declare_problem(a, u, d);
    if (auto* error = std::get_if<request_error>(&result)) {
        auto errors = error->fields;
        if (errors.empty()) errors.push_back({error->field, error->code, error->message});
        co_return declare_form(a, auth, d, expected, errors);
    }
    co_return redirect("/stoerungen/" + std::to_string(std::get<known_problem>(result).id) + "?erklaert=1");
}

net::awaitable<http_response> list_page(app& a, const auth_state& auth) {
    const auto& u = *auth.who;
    const time_ms now = now_ms();
    const auto problems = co_await visible_problems(a, u);
    auto d = base_data(a, auth, std::string(tr(auth.lang, "Störungen")));
    page_list open, resolved;
    for (const auto& n : problems) {
        auto item = problem_data(a, n.problem, now, auth.lang);
        item.set("affected", n.affected);
        (n.problem.open() ? open : resolved).push_back(std::move(item));
    }
    d.set("open_problems", std::move(open));
    d.set("resolved_problems", std::move(resolved));
    d.set("staff", is_staff(u.who));
    co_return html_response(http::status::ok, a.pages.page("problems", std::move(d)));
}

net::awaitable<http_response> detail_page(app& a, const auth_state& auth, std::int64_t id, const boost::urls::url_view& url,
                                          const request_error* refused) {
    const auto& u = *auth.who;
    auto view = co_await find_visible_problem(a, u, id);
    if (!view) co_return not_found_page(a, auth);
    const time_ms now = now_ms();
    const auto* zone = a.calendar.zone();
    auto d = base_data(a, auth, fmt::format(refused ? tf(auth.lang, "Fehler: Störung: {}") : tf(auth.lang, "Störung: {}"),
                                             view->problem.title));
    d.set("problem", problem_data(a, view->problem, now, auth.lang));
    d.set("id", std::to_string(id));
    d.set("staff", is_staff(u.who));
    d.set("teachers_affected", std::to_string(view->teachers_affected));
    d.set("viewer_affected", view->viewer_affected);
    d.set("may_join", view->viewer_may_join);
    d.set("return_to", "/stoerungen/" + std::to_string(id));
    d.set("declared_now", url.params().find("erklaert") != url.params().end());
    d.set("open", view->problem.open());
    if (refused) d.set("page_error", refused->message);
    if (is_staff(u.who)) {
        for (const auto& [key, clock] : {std::pair{"sla_first_response", &view->sla.first_response},
                                         std::pair{"sla_resolution", &view->sla.resolution}}) {
            page_data c;
            c.set("used", format_duration(clock->used_ms, 540, auth.lang));
            c.set("target", format_duration(clock->target_ms(), 540, auth.lang));
            c.set("verdict", std::string(verdict_label(clock->verdict, auth.lang)));
            c.set("breached", clock->verdict == sla_verdict::breached);
            if (clock->due_at) c.set("due", format_datetime(*clock->due_at, zone, auth.lang));
            d.set(key, std::move(c));
        }
        page_list tickets, people;
        for (const auto& t : view->tickets) {
            page_data item;
            item.set("number", t.part.ticket);
            item.set("title", t.title);
            item.set("status", std::string(status_label(t.state, auth.lang)));
            tickets.push_back(std::move(item));
        }
        for (const auto& p : view->affected) {
            page_data item;
            item.set("name", p.name);
            item.set("school", p.school_number);
            item.set("when", format_datetime(p.at, zone, auth.lang));
            item.set("room", p.room);
            item.set("note", p.note);
            item.set("ticket", p.ticket);
            people.push_back(std::move(item));
        }
        d.set("tickets", std::move(tickets));
        d.set("people", std::move(people));
    }
    co_return html_response(refused ? refused->status : http::status::ok, a.pages.page("problems_detail", std::move(d)));
}

} // namespace

net::awaitable<http_response> problems_page(app& a, http_request& req, const auth_state& auth, std::string_view rest) {
    const auto& u = *auth.who;
    const auto method = req.method();
    const bool is_get = method == http::verb::get || method == http::verb::head;
    const boost::urls::url_view url(req.target());
    if (rest.empty() || rest == "/") {
        if (is_get) co_return co_await list_page(a, auth);
        if (method == http::verb::post) co_return co_await post_declaration(a, req, auth);
        co_return not_found_page(a, auth);
    }
    if (rest == "/neu" && is_get) {
        if (!is_staff(u.who)) co_return not_found_page(a, auth);
        problem_draft d;
        if (const auto school = query_value(url, "schule"); a.dir.school(school)) d.schools = {school};
        d.tickets = split_numbers(query_value(url, "tickets"));
        if (!d.schools.empty()) {
            const auto* s = a.dir.school(d.schools.front());
            d.title = fmt::format(tf(auth.lang, "Netzwerkausfall an der {}"), s->name);
        }
        co_return declare_form(a, auth, d, "", {});
    }
    const auto tail = rest.substr(1);
    const auto slash = tail.find('/');
    const auto id = parse_id(tail.substr(0, slash));
    if (!id) co_return not_found_page(a, auth);
    if (slash == std::string_view::npos) {
        if (is_get) co_return co_await detail_page(a, auth, *id, url, nullptr);
        co_return not_found_page(a, auth);
    }
    const auto action = tail.substr(slash + 1);
    if (method != http::verb::post) co_return not_found_page(a, auth);
    auto form = parse_form(req.body());
    if (!form || !csrf_ok(auth, field_or_empty(*form, "csrf"))) co_return stale_form(a, auth);
    outcome<known_problem> result;
    std::string next = "/stoerungen/" + std::to_string(*id);
    // Named locals, not temporaries, go into the co_await expressions (GCC PR 99576).
    if (action == "betroffen") {
        std::string room = field_or_empty(*form, "room"), note = field_or_empty(*form, "note");
        result = co_await join_problem(a, u, *id, std::move(room), std::move(note));
        next = safe_return(field_or_empty(*form, "return_to"), *id);
    } else if (action == "beheben") {
        std::string resolution = field_or_empty(*form, "resolution");
        result = co_await resolve_problem_as(a, u, *id, std::move(resolution));
    } else if (action == "tickets") {
        auto numbers = split_numbers(field_or_empty(*form, "tickets"));
        result = co_await attach_problem_tickets(a, u, *id, std::move(numbers));
    } else {
        co_return not_found_page(a, auth);
    }
    if (auto* error = std::get_if<request_error>(&result)) {
        if (error->status == http::status::not_found) co_return not_found_page(a, auth);
        co_return co_await detail_page(a, auth, *id, url, error);
    }
    co_return redirect(next);
}

net::awaitable<void> add_problem_banner(app& a, const auth_state& auth, page_data& d, std::string return_to) {
    const auto& u = *auth.who;
    if (u.who != role::teacher) co_return;
    const time_ms now = now_ms();
    const auto notices = co_await problem_notices(a, u);
    page_list items;
    for (const auto& n : notices) {
        auto item = problem_data(a, n.problem, now, auth.lang);
        item.set("affected", n.affected);
        item.set("may_join", n.problem.open() && !n.affected);
        item.set("return_to", return_to);
        items.push_back(std::move(item));
    }
    d.set("problem_notices", std::move(items));
}

net::awaitable<void> add_ticket_links(app& a, const auth_state& auth, const std::string& number, bool closed,
                                      page_data& d) {
    const auto& u = *auth.who;
    const auto view = co_await visible_ticket_links(a, u, number);
    if (!view) co_return;
    if (!view->merged_into.empty()) {
        d.set("merged_into", view->merged_into.front());
        for (const auto& [l, visible] : view->links)
            if (l.kind == link_kind::merged && l.outgoing) {
                d.set("merged_status", std::string(status_label(l.other_state, auth.lang)));
                d.set("merged_visible", visible);
            }
    }
    if (view->problem_id) d.set("problem_link", "/stoerungen/" + std::to_string(*view->problem_id));
    if (!is_staff(u.who)) co_return;
    page_list links;
    for (const auto& [l, visible] : view->links) {
        page_data item;
        item.set("number", l.other_number);
        item.set("title", visible ? l.other_title : std::string());
        item.set("visible", visible);
        item.set("status", std::string(status_label(l.other_state, auth.lang)));
        item.set("what", std::string(l.kind == link_kind::related ? tr(auth.lang, "Verwandt mit")
                                     : l.outgoing                 ? tr(auth.lang, "Zusammengeführt in")
                                                                  : tr(auth.lang, "Hierher zusammengeführt:")));
        links.push_back(std::move(item));
    }
    d.set("links", std::move(links));
    d.set("show_links", true);
    d.set("can_merge", !closed && view->merged_into.empty());
}

net::awaitable<http_response> post_ticket_link_form(app& a, http_request& req, const auth_state& auth,
                                                    const std::string& number, std::string_view action) {
    auto form = parse_form(req.body());
    if (!form || !csrf_ok(auth, field_or_empty(*form, "csrf"))) co_return stale_form(a, auth);
    std::string other(trim(field_or_empty(*form, action == "zusammenfuehren" ? "into" : "to")));
    std::string note = field_or_empty(*form, "note");
    outcome<ticket> result;
    if (action == "zusammenfuehren") result = co_await merge_ticket(a, *auth.who, number, std::move(other), std::move(note));
    else result = co_await link_ticket(a, *auth.who, number, std::move(other));
    if (auto* error = std::get_if<request_error>(&result)) {
        if (error->status == http::status::not_found) co_return not_found_page(a, auth);
        co_return error_page(a, auth, error->status, error->message);
    }
    co_return redirect("/tickets/" + number + "#verknuepfungen-titel");
}

} // namespace campusdesk
