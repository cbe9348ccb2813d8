#include "server/dispatch/dispatch_handlers.hpp"

#include "storage/mail_repository.hpp"
#include "server/views/page_frame.hpp"

#include "core/local_time.hpp"
#include "server/http/api_request.hpp"
#include "server/http/form_body.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/http/log.hpp"
#include "server/http/responses.hpp"
#include "server/tickets/ticket_json.hpp"
#include "server/tickets/ticket_service.hpp"
#include "core/ticket_rules.hpp"
#include "storage/board_repository.hpp"
#include "storage/problem_repository.hpp"
#include "storage/read_snapshot.hpp"
#include "server/devices/device_pages.hpp"
#include "storage/device_repository.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>

#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>

namespace campusdesk {
namespace {

struct board_data {
    ticket_page fresh;
    ticket_page breached;
    ticket_page at_risk;
    std::vector<manager_load> managers;
    std::vector<school_load> schools;
    std::vector<outage_suspicion> outages;
    std::size_t undeliverable_mails = 0;
    std::vector<absence_record> absences;
    std::vector<problem_device> problem_devices;
};

// The options of the assignment bar's "zuweisen an": the current managers. The rows carry no selects of their own
// (150 rows with 13 managers and 6 partners each were three quarters of the board's 300 KB).
std::string manager_options(const app& a) {
    std::string out;
    for (const auto& m : a.dir.current().managers) {
        out += "<option value=\"";
        out += std::to_string(m.id);
        out += "\">";
        append_escaped(out, m.name);
        out += "</option>";
    }
    return out;
}

// What the board says after a quick action, from the query its redirect carries (post_ticket_action_form,
// bulk_assign): the ticket and the outcome, named from the directory and config, never text from the query.
struct board_notice {
    std::string ticket;  // the ticket acted on, for the note in its row
    std::string text;
    bool problem = false;
};

// Completes "Ticket {}: …" (German "Ticket X ist geschlossen").
std::string_view refusal_text(std::string_view code, language lang) {
    if (code == "unchanged") return tr(lang, "ist bereits so zugewiesen");
    if (code == "ticket_closed") return tr(lang, "ist geschlossen");
    if (code == "not_found") return tr(lang, "gibt es nicht oder ist für Sie nicht sichtbar");
    if (code == "forbidden") return tr(lang, "darf von Ihnen nicht geändert werden");
    if (code == "transition_not_allowed") return tr(lang, "lässt diese Änderung in seinem Status nicht zu");
    return tr(lang, "konnte nicht geändert werden");
}

std::optional<board_notice> notice_of(const app& a, const boost::urls::url_view& url, language lang) {
    auto ticket = query_value(url, "ticket");
    if (!is_valid_ticket_number(ticket)) ticket.clear();
    const auto done = query_value(url, "erledigt"), failed = query_value(url, "fehler");
    std::int64_t id = 0;
    const auto an = query_value(url, "an");
    std::from_chars(an.data(), an.data() + an.size(), id);
    const auto* manager = a.dir.manager(id);
    const std::string manager_name = manager ? manager->name : std::string(tr(lang, "der gewählten Person"));
    if (failed == "keine_tickets")
        return board_notice{"", std::string(tr(lang, "Bitte kreuzen Sie zuerst die Tickets an, die Sie zuweisen "
                                                     "möchten (Kästchen vor der Ticketnummer).")),
                            true};
    if (failed == "keine_person")
        return board_notice{"",
                            std::string(tr(lang, "Bitte wählen Sie, wem die ausgewählten Tickets zugewiesen werden "
                                                 "sollen.")),
                            true};
    if (!failed.empty() && !ticket.empty())
        return board_notice{ticket, fmt::format("Ticket {} {}.", ticket, refusal_text(failed, lang)), true};
    if (done == "sammel") {
        const auto count = query_value(url, "anzahl");
        const bool number = !count.empty() && count.size() < 5 && std::all_of(count.begin(), count.end(), ::isdigit);
        std::string text = fmt::format(count == "1" ? tf(lang, "{} Ticket wurde {} zugewiesen.")
                                                    : tf(lang, "{} Tickets wurden {} zugewiesen."),
                                       number ? count : "0", manager_name);
        std::string refused;
        for (const auto& item : form_values(std::string(url.encoded_query()), "abgelehnt")) {
            const auto tilde = item.find('~');
            const auto n = item.substr(0, tilde);
            if (!is_valid_ticket_number(n)) continue;
            refused += fmt::format("{}{} ({})", refused.empty() ? "" : ", ", n,
                                   refusal_text(tilde == std::string::npos ? "" : item.substr(tilde + 1), lang));
        }
        if (!refused.empty()) text += fmt::format(tf(lang, " Nicht zugewiesen: {}."), refused);
        return board_notice{"", text, !refused.empty()};
    }
    if (ticket.empty()) return std::nullopt;
    if (done == "zugewiesen")
        return board_notice{ticket, fmt::format(tf(lang, "Ticket {} ist jetzt {} zugewiesen."), ticket, manager_name)};
    if (done == "gesichtet")
        return board_notice{ticket, fmt::format(tf(lang, "Ticket {} ist als gesichtet markiert und jetzt „In "
                                                         "Bearbeitung“."),
                                                ticket)};
    if (done == "eskaliert") {
        const auto* partner = a.config.find_partner(query_value(url, "partner"));
        return board_notice{ticket, fmt::format(tf(lang, "Ticket {} wurde an {} übergeben."), ticket,
                                                partner ? partner->name : std::string(tr(lang, "den Partner")))};
    }
    if (done == "geaendert")
        return board_notice{ticket, fmt::format(tf(lang, "Die Änderung an Ticket {} ist gespeichert."), ticket)};
    return std::nullopt;
}

// `section` names the board's section (its heading's id): a ticket may stand in two sections (new and
// breached), so every id and label of a row carries the section.
page_list ticket_rows(const app& a, const ticket_page& page, std::string_view section,
                      time_ms now, const std::optional<board_notice>& notice, language lang) {
    const std::string section_label(section == "neu"            ? tr(lang, "Neu")
                                    : section == "ueberfaellig" ? tr(lang, "Frist überschritten")
                                                                : tr(lang, "Frist bald erreicht"));
    page_list rows;
    rows.reserve(page.tickets.size());
    for (const auto& item : page.tickets) {
        const auto& t = item.t;
        const auto& r = item.sla;
        page_data row;
        row.reserve(15);
        row.set("number", t.number);
        row.set("section", std::string(section));
        row.set("section_label", section_label);
        row.set("title", t.title);
        const auto* school = a.dir.school(t.school_number);
        row.set("school", school ? school->name : t.school_number);
        row.set("priority", std::string(priority_label(t.prio, lang)));
        row.set("priority_id", std::string(to_string(t.prio)));
        row.set("status", std::string(status_label(t.state, lang)));
        row.set("is_new", t.state == status::new_);
        const auto* manager = a.dir.manager(t.assignee_id);
        row.set("assignee", manager ? manager->name : std::string("—"));
        row.set("due", due_line(r, now, a.calendar.zone(), lang));
        row.set("created", format_datetime(t.created_at, a.calendar.zone(), lang));
        if (notice && notice->ticket == t.number) {
            row.set("notice", notice->text);
            row.set("notice_problem", notice->problem);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

// A board tick's value: "<section>-<ticket number>" (the row's id) or a bare ticket number. Returns the row id
// ("" for a bare number) and the ticket number.
std::pair<std::string, std::string> board_row_of(const std::string& value) {
    for (std::string_view section : {"neu-", "ueberfaellig-", "gefaehrdet-"})
        if (value.starts_with(section)) return {value, value.substr(section.size())};
    return {"", value};
}

constexpr std::size_t board_section_limit = open_loads_memo::board_sections;

std::string absence_text(const app& a, const absence& ab, language lang) {
    const auto* sub = a.dir.manager(ab.substitute_id);
    return fmt::format(tf(lang, "abwesend {}, vertreten durch {}"),
                       format_period(ab.from, ab.to, a.calendar.zone(), lang), sub ? sub->name : "?");
}

} // namespace

net::awaitable<http_response> dispatch_board_page(app& a, const auth_state& auth, const boost::urls::url_view& url) {
    if (!is_help_desk(auth.who->who)) co_return not_found_page(a, auth);
    const time_ms now = now_ms();
    auto data = co_await a.storage->read([&](SQLite::Database& db) {
        board_data b;
        // One pass over the open tickets gives the loads and, in due order, the first 50 of each section (the
        // queue's filters: new; open and breached; open and at risk), reused while exact (open_loads_memo); then
        // those rows are read by id.
        read_snapshot snapshot(db);  // the pass's version and the sections' rows: one committed state
        const auto loads = a.open_tickets.get(db, a.calendar, now, board_section_limit);
        const auto first = [](const std::vector<std::int64_t>& ids) {
            return std::vector<std::int64_t>(ids.begin(), ids.begin() + std::min(ids.size(), board_section_limit));
        };
        b.fresh.tickets = load_listed_tickets(db, first(loads->fresh), a.sla(), now);
        b.breached.tickets = load_listed_tickets(db, first(loads->breached), a.sla(), now);
        b.at_risk.tickets = load_listed_tickets(db, first(loads->at_risk), a.sla(), now);
        b.managers = loads->managers;
        b.schools = loads->schools;
        // Tickets already attached to a declared known problem suggest no outage any more.
        auto recent = load_open_since(db, now - 24LL * 3600 * 1000);
        const auto attached = open_problem_ticket_numbers(db);
        std::erase_if(recent, [&](const open_ticket_brief& t) { return attached.contains(t.number); });
        b.outages = detect_outages(std::move(recent));
        b.absences = load_current_absences(db, now);
        // One statement over the partial index of the devices that reached the problem rule (docs/devices.md).
        b.problem_devices =
            problem_devices(db, {}, problem_window_start(now, a.config.devices.problem_days), 10);
        // Read from a partial index of the few given-up mails: nothing per ticket.
        if (a.config.mail.enabled) b.undeliverable_mails = count_undeliverable(db);
        return b;
    });
    const auto lang = auth.lang;
    auto d = base_data(a, auth, std::string(tr(lang, "Leitstand Help-Desk")));
    d.set("mail_enabled", a.config.mail.enabled);
    d.set("undeliverable_mails", data.undeliverable_mails > 0 ? std::to_string(data.undeliverable_mails) : "");
    // The sections list the first 50 each; their headings count all, from the open tickets' loads per assignee
    // (current and former managers), with a link to the queue's filter when there are more.
    int fresh_total = 0, breached_total = 0, at_risk_total = 0;
    for (const auto& l : data.managers) {
        fresh_total += l.fresh;
        breached_total += l.breached;
        at_risk_total += l.at_risk;
    }
    const auto notice = notice_of(a, url, lang);
    if (notice) {
        d.set("notice", notice->text);
        d.set("notice_problem", notice->problem);
    }
    d.set("bulk_managers", manager_options(a));
    const auto section = [&](const char* name, const ticket_page& page, int total, const char* all_link) {
        const std::string_view id = std::string_view(name) == "fresh" ? "neu"
                                    : std::string_view(name) == "breached" ? "ueberfaellig"
                                                                           : "gefaehrdet";
        d.set(name, ticket_rows(a, page, id, now, notice, lang));
        d.set(std::string(name) + "_count", std::to_string(total));
        if (total > static_cast<int>(page.tickets.size())) d.set(std::string(name) + "_all", all_link);
    };
    section("fresh", data.fresh, fresh_total, "/queue?status=new");
    section("breached", data.breached, breached_total, "/queue?breached=1");
    section("at_risk", data.at_risk, at_risk_total, "/queue?at_risk=1");

    page_list outages;
    for (const auto& o : data.outages) {
        page_data item;
        const auto* school = a.dir.school(o.school_number);
        item.set("school", school ? school->name : o.school_number);
        item.set("count", std::to_string(o.tickets.size()));
        item.set("since", format_datetime(o.first_at, a.calendar.zone(), lang));
        page_list numbers;
        for (const auto& n : o.tickets) {
            page_data entry;
            entry.set("number", n);
            numbers.push_back(std::move(entry));
        }
        item.set("tickets", std::move(numbers));
        std::string listed;
        for (const auto& n : o.tickets) listed += (listed.empty() ? "" : ",") + n;
        item.set("declare_link", fmt::format("/stoerungen/neu?schule={}&tickets={}", o.school_number, listed));
        outages.push_back(std::move(item));
    }
    d.set("outages", std::move(outages));
    d.set("has_problem_devices", !data.problem_devices.empty());
    d.set("problem_devices", problem_device_rows(a, data.problem_devices, lang));
    d.set("problem_rule", fmt::format(tf(lang, "mindestens {} Tickets in {} Tagen"), a.config.devices.problem_tickets,
                                      a.config.devices.problem_days));

    page_list managers;
    for (const auto& m : a.dir.current().managers) {
        page_data row;
        row.set("name", m.name);
        row.set("login", m.login);
        row.set("schools", std::to_string(m.schools.size()));
        manager_load load{m.id, 0, 0, 0, std::nullopt};
        for (const auto& l : data.managers)
            if (l.manager_id == m.id) load = l;
        row.set("open", std::to_string(load.open));
        row.set("at_risk", std::to_string(load.at_risk));
        row.set("breached", std::to_string(load.breached));
        row.set("has_breached", load.breached > 0);
        row.set("oldest", load.oldest_open ? format_datetime(*load.oldest_open, a.calendar.zone(), lang) : "—");
        for (const auto& ab : data.absences)
            if (ab.a.manager_id == m.id && ab.a.from <= now) row.set("absent", absence_text(a, ab.a, lang));
        managers.push_back(std::move(row));
    }
    d.set("managers", std::move(managers));

    // Schools with open tickets, sortable so that a school with an outage stands out.
    auto sort_param = url.params().find("schulen");
    const std::string school_sort = sort_param == url.params().end() ? "offen" : std::string((*sort_param).value);
    auto& schools = data.schools;
    std::sort(schools.begin(), schools.end(), [&](const school_load& x, const school_load& y) {
        if (school_sort == "netz") return std::tie(y.network_open, y.open, x.school_number) < std::tie(x.network_open, x.open, y.school_number);
        if (school_sort == "ueberfaellig") return std::tie(y.breached, y.open, x.school_number) < std::tie(x.breached, x.open, y.school_number);
        if (school_sort == "neueste") return std::tie(y.newest, x.school_number) < std::tie(x.newest, y.school_number);
        return std::tie(y.open, x.school_number) < std::tie(x.open, y.school_number);
    });
    page_list school_rows;
    for (const auto& s : schools) {
        page_data row;
        const auto* school = a.dir.school(s.school_number);
        row.set("number", s.school_number);
        row.set("name", school ? school->name : s.school_number);
        row.set("district", school ? school->district : "");
        row.set("open", std::to_string(s.open));
        row.set("network", std::to_string(s.network_open));
        row.set("breached", std::to_string(s.breached));
        row.set("newest", format_datetime(s.newest, a.calendar.zone(), lang));
        row.set("outage", std::any_of(data.outages.begin(), data.outages.end(),
                                      [&](const auto& o) { return o.school_number == s.school_number; }));
        school_rows.push_back(std::move(row));
    }
    d.set("schools", std::move(school_rows));
    d.set("school_sort_" + school_sort, true);
    d.set("live", true);
    d.set("wide", true);
    co_return html_response(http::status::ok, a.pages.page("dispatch", std::move(d)));
}

net::awaitable<http_response> bulk_assign(app& a, const http_request& req, const auth_state& auth) {
    if (!is_help_desk(auth.who->who)) co_return not_found_page(a, auth);
    if (!is_form(req))
        co_return error_page(a, auth, http::status::unsupported_media_type, "Das Formular wurde falsch gesendet.");
    auto form = parse_form(req.body());
    if (!form) co_return error_page(a, auth, http::status::bad_request, "Das Formular ist beschädigt.");
    if (!csrf_ok(auth, field_or_empty(*form, "csrf")))
        co_return error_page(a, auth, http::status::forbidden,
                             "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden.");
    // A ticket may stand in two sections of the board and be ticked twice; each is assigned once. The board
    // lists at most 150 rows, so a longer list is not a board's. A tick names its row ("neu-CD-2026-000302"):
    // one ticket assigned brings the board back at that row, as a single assignment did.
    std::vector<std::string> numbers;
    std::string first_row;
    for (auto& value : form_values(req.body(), "ticket")) {
        auto [row, number] = board_row_of(value);
        if (first_row.empty()) first_row = row;
        if (std::find(numbers.begin(), numbers.end(), number) == numbers.end()) numbers.push_back(std::move(number));
    }
    if (numbers.size() > 200)
        co_return error_page(a, auth, http::status::unprocessable_entity, "Bitte höchstens 200 Tickets auf einmal zuweisen.");
    // Nothing ticked or nobody chosen: back to the board, the message above the form.
    const auto manager_id = parse_id(field_or_empty(*form, "manager_id")).value_or(0);
    if (numbers.empty()) co_return redirect("/dispatch?fehler=keine_tickets#meldung");
    if (!a.dir.current_manager(manager_id)) co_return redirect("/dispatch?fehler=keine_person#meldung");
    // Each ticket by itself, as its own event with the visibility and rules of a single assignment.
    int assigned = 0;
    boost::urls::url target("/dispatch");
    auto params = target.params();
    params.append({"erledigt", "sammel"});
    params.append({"an", std::to_string(manager_id)});
    std::vector<std::string> refused;
    for (const auto& number : numbers) {
        action_planner plan = [manager_id](const action_context& c) { return plan_assign(c, manager_id, true, ""); };
        auto result = co_await perform_action(a, *auth.who, number, std::move(plan));
        if (auto* error = std::get_if<request_error>(&result)) {
            if (is_valid_ticket_number(number)) refused.push_back(number + "~" + error->code);
        } else {
            ++assigned;
        }
    }
    if (numbers.size() == 1 && assigned == 1) {
        boost::urls::url one("/dispatch");
        one.params().append({"erledigt", "zugewiesen"});
        one.params().append({"ticket", numbers.front()});
        one.params().append({"an", std::to_string(manager_id)});
        one.set_fragment(first_row.empty() ? "meldung" : first_row);
        co_return redirect(one.buffer());
    }
    params.append({"anzahl", std::to_string(assigned)});
    for (const auto& r : refused) params.append({"abgelehnt", r});
    target.set_fragment("meldung");
    co_return redirect(target.buffer());
}

namespace {

// Validates and stores an absence; returns an error message (German) and field, or nothing.
struct absence_error {
    http::status status;
    std::string code, message, field;
};

net::awaitable<std::optional<absence_error>> save_absence(app& a, const user& who, std::int64_t manager_id,
                                                          std::optional<time_ms> from, std::optional<time_ms> to,
                                                          std::int64_t substitute_id) {
    if (!a.dir.current_manager(manager_id))
        co_return absence_error{http::status::not_found, "not_found", "Diesen Campus-Manager gibt es nicht.", ""};
    if (!from) co_return absence_error{http::status::unprocessable_entity, "invalid_time", "Bitte den Beginn angeben.", "from"};
    if (!to) co_return absence_error{http::status::unprocessable_entity, "invalid_time", "Bitte das Ende angeben.", "to"};
    const time_ms now = now_ms();
    if (auto problem = check_absence_period(*from, *to, now))
        co_return absence_error{http::status::unprocessable_entity, problem->code, problem->message, problem->field};
    if (!a.dir.current_manager(substitute_id) || substitute_id == manager_id)
        co_return absence_error{http::status::unprocessable_entity, "invalid_substitute",
                                "Bitte eine andere Person als Vertretung wählen.", "substitute_id"};
    const absence ab{manager_id, *from, *to, substitute_id};
    co_await a.storage->write([&](SQLite::Database& db) {
        set_absence(db, ab, now);
        append_audit(db, now, who.id, "absence_set", a.dir.manager(ab.manager_id)->login,
                     fmt::format("{} – {} → {}", format_iso8601(ab.from, a.calendar.zone()),
                                 format_iso8601(ab.to, a.calendar.zone()), a.dir.manager(ab.substitute_id)->login));
    });
    a.live.publish();
    co_return std::nullopt;
}

net::awaitable<bool> remove_absence(app& a, const user& who, std::int64_t manager_id) {
    const time_ms now = now_ms();
    const bool ended = co_await a.storage->write([&](SQLite::Database& db) {
        const bool any = end_absence(db, manager_id, now);
        if (any) append_audit(db, now, who.id, "absence_end", a.dir.manager(manager_id)->login, "");
        return any;
    });
    a.live.publish();
    co_return ended;
}

} // namespace

net::awaitable<http_response> absence_api(app& a, const http_request& req, const user& who, const std::string& id_text) {
    if (!is_help_desk(who.who))
        co_return api_error(http::status::forbidden, "forbidden", "Nur der Help-Desk pflegt Abwesenheiten.");
    const auto id = parse_id(id_text);
    if (!id || !a.dir.current_manager(*id)) co_return api_error(http::status::not_found, "not_found", "Unbekannter Campus-Manager.");
    if (req.method() == http::verb::delete_) {
        const bool ended = co_await remove_absence(a, who, *id);
        if (!ended) co_return api_error(http::status::not_found, "not_found", "Keine Abwesenheit eingetragen.");
        co_return json_response(http::status::ok, json::object{{"ok", true}});
    }
    if (req.method() != http::verb::put)
        co_return api_error(http::status::method_not_allowed, "method_not_allowed", "Methode nicht erlaubt.");
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    // An instant, or a plain date for a whole local day: "from" its start, "to" its end (the last day inclusive).
    auto time_field = [&](const char* name) -> std::optional<time_ms> {
        auto it = o.find(name);
        if (it == o.end() || !it->value().is_string()) return std::nullopt;
        const std::string_view text = it->value().as_string();
        if (const auto day = parse_iso_date(text))
            return std::string_view(name) == "to" ? local_day_end(*day, a.calendar.zone())
                                                  : local_day_start(*day, a.calendar.zone());
        return parse_iso8601(text);
    };
    auto sub = o.find("substitute_id");
    const std::int64_t substitute = sub != o.end() && sub->value().is_int64() ? sub->value().as_int64() : 0;
    auto error = co_await save_absence(a, who, *id, time_field("from"), time_field("to"), substitute);
    if (error) co_return api_error(error->status, error->code, error->message, error->field);
    co_return json_response(http::status::ok, json::object{{"manager_id", *id},
                                                           {"from", o.at("from")},
                                                           {"to", o.at("to")},
                                                           {"substitute_id", substitute}});
}

net::awaitable<http_response> undeliverable_mail_page(app& a, const auth_state& auth) {
    if (!is_help_desk(auth.who->who)) co_return not_found_page(a, auth);
    const auto mails = co_await a.storage->read([](SQLite::Database& db) { return list_undeliverable(db, 200); });
    const auto lang = auth.lang;
    auto d = base_data(a, auth, std::string(tr(lang, "Nicht zustellbare Mails")));
    d.set("mail_enabled", a.config.mail.enabled);
    page_list rows;
    for (const auto& m : mails) {
        page_data row;
        row.set("kind", std::string(mail_kind_label(m.kind, lang)));
        row.set("ticket", m.ticket_number);
        row.set("recipient", m.recipient_name.empty() ? m.address : fmt::format("{} <{}>", m.recipient_name, m.address));
        row.set("no_address", m.address.empty());
        row.set("attempts", std::to_string(m.attempts));
        row.set("queued", format_datetime(m.created_at, a.calendar.zone(), lang));
        row.set("given_up", format_datetime(m.given_up_at, a.calendar.zone(), lang));
        row.set("error", m.error);
        rows.push_back(std::move(row));
    }
    d.set("has_mails", !rows.empty());
    d.set("mails", std::move(rows));
    co_return html_response(http::status::ok, a.pages.page("undeliverable_mail", d));
}

// Two steps, without JavaScript: first who is away (GET ?wer=), then the days and the cover, offered without
// the absent person and with the suggested cover chosen. A refused entry comes back with everything kept.
net::awaitable<http_response> absences_page(app& a, http_request& req, const auth_state& auth, const std::string& rest) {
    if (!is_help_desk(auth.who->who)) co_return not_found_page(a, auth);
    const boost::urls::url_view url(req.target());
    std::optional<absence_error> error;
    form_fields form;
    std::int64_t away_id = parse_id(query_value(url, "wer")).value_or(0);
    if (req.method() == http::verb::post) {
        auto parsed = parse_form(req.body());
        form = parsed.value_or(form_fields{});
        if (!parsed || !csrf_ok(auth, form["csrf"]))
            co_return error_page(a, auth, http::status::forbidden,
                                 tr(auth.lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden."));
        if (rest.ends_with("/end")) {
            const auto manager_id = parse_id(rest.substr(0, rest.find('/'))).value_or(0);
            co_await remove_absence(a, *auth.who, manager_id);
            co_return redirect("/dispatch/absences");
        }
        // Whole local days: from the first day's start to the end of the last day.
        const auto* zone = a.calendar.zone();
        const auto first = parse_iso_date(form["from"]), last = parse_iso_date(form["to"]);
        away_id = parse_id(form["manager_id"]).value_or(0);
        const auto substitute = parse_id(form["substitute_id"]).value_or(0);
        error = co_await save_absence(a, *auth.who, away_id, first ? std::optional(local_day_start(*first, zone)) : std::nullopt,
                                      last ? std::optional(local_day_end(*last, zone)) : std::nullopt, substitute);
        if (!error) co_return redirect("/dispatch/absences");
    }
    const time_ms now = now_ms();
    auto data = co_await a.storage->read([&](SQLite::Database& db) {
        return std::pair{load_current_absences(db, now), a.open_tickets.get(db, a.calendar, now, 0)};
    });
    const auto lang = auth.lang;
    auto d = base_data(a, auth, std::string(error ? tr(lang, "Fehler: ") : "") +
                                    std::string(tr(lang, "Abwesenheiten und Vertretung")));
    page_list rows;
    std::set<std::int64_t> absent_now;
    for (const auto& r : data.first) {
        page_data row;
        const auto* m = a.dir.manager(r.a.manager_id);
        row.set("manager", m ? m->name : "?");
        row.set("manager_id", std::to_string(r.a.manager_id));
        row.set("text", absence_text(a, r.a, auth.lang));
        row.set("running", r.a.from <= now);
        if (r.a.from <= now) absent_now.insert(r.a.manager_id);
        rows.push_back(std::move(row));
    }
    d.set("absences", std::move(rows));
    std::vector<manager_facts> facts;
    for (const auto& m : a.dir.current().managers) {
        manager_facts f{m.id, {}, 0, absent_now.contains(m.id)};
        for (const auto& n : m.schools)
            if (const auto* s = a.dir.school(n)) f.districts.insert(s->district);
        for (const auto& l : data.second->managers)
            if (l.manager_id == m.id) f.open_tickets = l.open;
        facts.push_back(std::move(f));
    }
    const auto open_of = [&](std::int64_t id) {
        for (const auto& f : facts)
            if (f.id == id) return f.open_tickets;
        return 0;
    };
    const std::string choose(tr(lang, "– bitte wählen –"));
    std::vector<std::pair<std::string, std::string>> who{{"", choose}};
    for (const auto& m : a.dir.current().managers)
        who.emplace_back(std::to_string(m.id), fmt::format(tf(lang, "{} ({} offen)"), m.name, open_of(m.id)));
    const auto* away = a.dir.current_manager(away_id);
    d.set("who_options", select_options(who, away ? std::to_string(away_id) : ""));
    if (away) {
        d.set("chosen", true);
        d.set("away_id", std::to_string(away->id));
        d.set("away_name", away->name);
        const auto suggestion = suggest_substitute(away->id, facts);
        const auto* suggested = a.dir.manager(suggestion);
        // The cover is never the absent person; the suggestion is chosen unless a choice came with the form.
        const auto sent = form["substitute_id"];
        std::vector<std::pair<std::string, std::string>> cover{{"", choose}};
        for (const auto& m : a.dir.current().managers)
            if (m.id != away->id)
                cover.emplace_back(std::to_string(m.id),
                                   fmt::format(tf(lang, "{} ({} offen)"), m.name, open_of(m.id)) +
                                       std::string(m.id == suggestion ? tr(lang, " – Vorschlag") : ""));
        d.set("cover_options", select_options(cover, !sent.empty() ? sent : suggested ? std::to_string(suggestion) : ""));
        d.set("suggestion", suggested ? suggested->name : "");
        d.set("value_from", form["from"]);
        d.set("value_to", form["to"]);
    }
    if (error) {
        d.set("error", error->message);
        const auto field = error->field == "from" || error->field == "to" || error->field == "substitute_id"
                               ? error->field : std::string("form");
        d.set("invalid_" + field, true);
        co_return html_response(error->status, a.pages.page("absences", d));
    }
    co_return html_response(http::status::ok, a.pages.page("absences", d));
}

bool is_live_stream(const http_request& req) {
    const auto target = req.target();
    constexpr std::string_view path = "/api/v1/live";
    return req.method() == http::verb::get && target.starts_with(path) &&
           (target.size() == path.size() || target[path.size()] == '?');
}

namespace {

// Streams may hold at most half of the open-files limit, so that pages, logins and /healthz always find one.
std::size_t stream_descriptor_budget() {
    static const std::size_t budget = [] {
        rlimit limit{};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
            return std::numeric_limits<std::size_t>::max();
        return static_cast<std::size_t>(limit.rlim_cur / 2);
    }();
    return budget;
}

net::awaitable<void> refuse_stream(beast::tcp_stream& stream, http_response& res) {
    res.keep_alive(false);
    res.prepare_payload();
    co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
}

// Whose changes a stream reports: those of the tickets its subscriber may see (all of them on the board, the
// queue and lists; one on a ticket's page, ?ticket=NUMBER), as core::can_see decides for each change.
struct subscription {
    viewer who;
    std::int64_t ticket_id = 0;  // 0: every ticket the viewer may see
};

// The browser went away (another page, a closed tab): the peer's orderly shutdown is readable at once, so the
// stream's place is given back within a tick rather than at the next write, which may be 15 s away.
bool peer_closed(beast::tcp_stream& stream) {
    char byte;
    const auto n = ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

bool concerns(const app& a, const subscription& sub, const live_updates::change& c) {
    if (sub.ticket_id != 0) return c.ticket_id == sub.ticket_id;
    if (c.ticket_id == 0) return is_staff(sub.who.who);  // absences, school moves, known problems: staff's views
    ticket t;
    t.id = c.ticket_id;
    t.school_number = c.school_number;
    t.requester_id = c.requester_id;
    t.assignee_id = c.assignee_id;
    const auto* school = a.dir.school(c.school_number);
    return can_see(sub.who, t, school ? school->manager_id : 0, a.config.teachers_see_school_tickets);
}

} // namespace

net::awaitable<void> serve_live_stream(app& a, http_request& req, beast::tcp_stream& stream, const http_server& server) {
    auto auth = co_await authenticate(a, req);
    if (!auth.who) {
        auto res = api_error(http::status::unauthorized, "unauthenticated", "Bitte anmelden.");
        co_await refuse_stream(stream, res);
        co_return;
    }
    // The subscriber as the visibility rules see them now, and the one ticket of a ticket page (absent or not
    // visible: 404, as for the ticket itself).
    std::string ticket_number;
    if (auto parsed = boost::urls::parse_origin_form(req.target()); parsed)
        if (auto it = parsed->params().find("ticket"); it != parsed->params().end()) ticket_number = (*it).value;
    const user who = *auth.who;
    auto sub = co_await a.storage->read([&](SQLite::Database& db) -> std::optional<subscription> {
        const time_ms now = now_ms();
        subscription s{current_viewer(a, db, who, now), 0};
        if (ticket_number.empty()) return s;
        const auto t = is_valid_ticket_number(ticket_number) ? find_ticket(db, ticket_number) : std::nullopt;
        const auto* school = t ? a.dir.school(t->school_number) : nullptr;
        if (!t || !can_see(s.who, *t, school ? school->manager_id : 0, a.config.teachers_see_school_tickets))
            return std::nullopt;
        s.ticket_id = t->id;
        return s;
    });
    if (!sub) {
        auto res = api_error(not_found_error());
        co_await refuse_stream(stream, res);
        co_return;
    }
    const auto& limits = a.config.limits;
    // A session's streams are counted by its digest; an API token's by its user.
    auto opened = a.live.open_stream(auth.via_bearer ? fmt::format("user {}", auth.who->id) : auth.session_digest,
                                     limits.live_streams_per_session,
                                     std::min(limits.live_streams_total, stream_descriptor_budget()));
    if (auto* refused = std::get_if<live_updates::stream_refusal>(&opened)) {
        const bool session_full = *refused == live_updates::stream_refusal::session_full;
        log_line(log_level::warning, "live stream refused",
                 {{"reason", session_full ? "streams_per_session" : "streams_total"}, {"user", auth.who->id}});
        auto res = session_full ? api_error(http::status::too_many_requests, "too_many_streams",
                                            "Zu viele Live-Verbindungen in dieser Sitzung.")
                                : api_error(http::status::service_unavailable, "busy",
                                            "Der Server ist gerade ausgelastet. Bitte gleich noch einmal versuchen.");
        res.set(http::field::retry_after, "30");
        co_await refuse_stream(stream, res);
        co_return;
    }
    // Ended after its lifetime (EventSource reconnects by itself), so a stream whose client vanished without a
    // word holds its place for minutes, not for good.
    const auto ends_at = std::chrono::steady_clock::now() + std::chrono::seconds(limits.live_stream_seconds);
    http::response<http::empty_body> head{http::status::ok, req.version()};
    head.set(http::field::content_type, "text/event-stream; charset=utf-8");
    head.set(http::field::cache_control, "no-store");
    head.set("X-Accel-Buffering", "no");
    head.keep_alive(false);
    http::response_serializer<http::empty_body> sr{head};
    stream.expires_never();
    auto [ec, n] = co_await http::async_write_header(stream, sr, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    // Only a version number travels: what changed is fetched through the normal, permission-checked pages.
    auto send = [&](const std::string& text) -> net::awaitable<bool> {
        stream.expires_after(std::chrono::seconds(10));
        auto [write_ec, written] = co_await net::async_write(stream, net::buffer(text), net::as_tuple(net::use_awaitable));
        co_return !write_ec;
    };
    std::uint64_t seen = a.live.version();
    std::string message = fmt::format("retry: 1000\nevent: hello\ndata: {}\n\n", seen);
    if (!co_await send(message)) co_return;
    net::steady_timer tick(co_await net::this_coro::executor);
    int idle_ticks = 0;
    while (!server.stopping() && std::chrono::steady_clock::now() < ends_at) {
        tick.expires_after(std::chrono::milliseconds(200));
        co_await tick.async_wait(net::as_tuple(net::use_awaitable));
        if (peer_closed(stream)) co_return;
        if (a.live.changed_since(seen, [&](const live_updates::change& c) { return concerns(a, *sub, c); })) {
            idle_ticks = 0;
            message = fmt::format("event: change\ndata: {}\n\n", seen);
            if (!co_await send(message)) co_return;
        } else if (++idle_ticks >= 75) {  // a comment every 15 s keeps proxies from closing the stream
            idle_ticks = 0;
            message = ": keep-alive\n\n";
            if (!co_await send(message)) co_return;
        }
    }
}

} // namespace campusdesk
