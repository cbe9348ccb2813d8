#include "server/problems/problem_service.hpp"

#include "core/text.hpp"
#include "server/mail/mail_sender.hpp"
#include "server/mail/notifier.hpp"
#include "storage/user_repository.hpp"

#include <fmt/format.h>

namespace campusdesk {

request_error problem_not_found() {
    return {http::status::not_found, "not_found", "Störung nicht gefunden.", "", {}};
}

namespace {

request_error field_refusal(http::status status, std::string code, std::string message, std::string field) {
    return {status, std::move(code), std::move(message), std::move(field), {}};
}

request_error staff_only_error() {
    return field_refusal(http::status::forbidden, "forbidden", "Das dürfen nur Mitarbeitende des IT-Supports.", "");
}

bool can_see_ticket(const app& a, const viewer& v, const ticket& t) {
    const auto* school = a.dir.school(t.school_number);
    return can_see(v, t, school ? school->manager_id : 0, a.config.teachers_see_school_tickets);
}

// Attaches each ticket of `numbers` (visible to the staff member, not closed, in no problem yet): a public reply
// tells its requester that the problem is known (their first response), then the problem's priority and start
// follow its parts. Returns a refusal before writing anything if one ticket cannot be attached.
std::optional<request_error> attach_in(app& a, SQLite::Database& db, const user& who, const viewer& v,
                                       known_problem& p, const std::vector<std::string>& numbers, time_ms now,
                                       std::size_t& mails) {
    std::vector<ticket> found;
    for (const auto& number : numbers) {
        auto t = find_ticket(db, number);
        if (!t || !can_see_ticket(a, v, *t))
            return field_refusal(http::status::unprocessable_entity, "unknown_ticket",
                                 fmt::format("Ticket {} nicht gefunden.", number), "tickets");
        if (t->state == status::closed)
            return field_refusal(http::status::conflict, "ticket_closed",
                                 fmt::format("Ticket {} ist geschlossen.", number), "tickets");
        if (auto other = problem_of_ticket(db, t->id))
            return field_refusal(http::status::conflict, "already_attached",
                                 fmt::format("Ticket {} gehört bereits zur Störung {}.", number, *other), "tickets");
        if (std::find_if(found.begin(), found.end(), [&](const ticket& f) { return f.id == t->id; }) == found.end())
            found.push_back(*t);
    }
    const std::string reply = fmt::format(
        "Ihre Meldung gehört zur bekannten Störung „{}“. Wir kümmern uns darum und melden uns, sobald sie behoben ist; "
        "Sie müssen nichts weiter tun.",
        p.title);
    for (const auto& t : found) {
        auto done = apply_action(a, db, v, {who.id, who.manager_id}, t.number,
                                 [&](const action_context& c) { return plan_reply(c, reply, false); }, now, mails);
        if (auto* refused = std::get_if<request_error>(&done)) return *refused;
        attach_ticket(db, p.id, t, now, who.id);
        append_audit(db, now, who.id, "problem_attached", t.number, fmt::format("problem {}", p.id));
    }
    std::vector<problem_part> parts;
    for (const auto& t : problem_tickets(db, p.id)) parts.push_back(t.part);
    p.prio = problem_priority(p.prio, parts);
    p.started_at = problem_start(p.started_at, parts);
    update_problem_parts(db, p.id, p.prio, p.started_at);
    return std::nullopt;
}

// A refusal found after something was written: thrown out of the write command, whose savepoint then rolls back
// everything the command wrote, and answered as the refusal.
struct request_refused : std::exception {
    explicit request_refused(request_error e) : error(std::move(e)) {}
    request_error error;
};

// Runs `fn` as one write command; after a commit, wakes the mail sender and the boards.
template <class T, class F>
net::awaitable<outcome<T>> write_change(app& a, F fn) {
    std::size_t mails = 0;
    outcome<T> result;
    try {
        result = co_await a.storage->write([&](SQLite::Database& db) -> outcome<T> { return fn(db, mails); });
    } catch (const request_refused& refused) {
        co_return refused.error;
    }
    if (std::holds_alternative<T>(result)) {
        mails_queued(a, mails);
        a.live.publish();
    }
    co_return result;
}


} // namespace

net::awaitable<outcome<known_problem>> declare_problem(app& a, const user& who, problem_draft draft) {
    const time_ms now = now_ms();
    auto errors = validate_problem_draft(draft, who.who, now, [&](std::string_view s) {
        const auto* school = a.dir.school(s);
        return school != nullptr;
    });
    if (!errors.empty()) {
        const auto first = errors.front();
        if (first.code == "forbidden") co_return staff_only_error();
        co_return request_error{http::status::unprocessable_entity, first.code, first.message, first.field, std::move(errors)};
    }
    co_return co_await write_change<known_problem>(a, [&](SQLite::Database& db, std::size_t& mails) -> outcome<known_problem> {
        known_problem p;
        p.title = std::string(trim(draft.title));
        p.description = draft.description;
        p.all_schools = draft.all_schools;
        if (!p.all_schools) p.schools = draft.schools;
        p.prio = declared_priority(draft.priority, !draft.tickets.empty());
        p.started_at = now;
        p.declared_at = now;
        p.declared_by = who.id;
        p.expected_at = draft.expected_at;
        p.id = insert_problem(db, p);
        append_audit(db, now, who.id, "problem_declared", fmt::format("problem {}", p.id), p.title);
        const auto v = current_viewer(a, db, who, now);
        if (auto refused = attach_in(a, db, who, v, p, draft.tickets, now, mails))
            throw request_refused(std::move(*refused));  // rolls the declaration back
        return p;
    });
}

net::awaitable<outcome<known_problem>> attach_problem_tickets(app& a, const user& who, std::int64_t id,
                                                              std::vector<std::string> numbers) {
    if (!is_staff(who.who)) co_return staff_only_error();
    problem_draft check;
    check.title = "x";
    check.all_schools = true;
    check.tickets = numbers;
    auto errors = validate_problem_draft(check, who.who, 0, [](std::string_view) { return true; });
    if (numbers.empty()) errors.push_back({"tickets", "required", "Bitte mindestens ein Ticket angeben."});
    if (!errors.empty())
        co_return request_error{http::status::unprocessable_entity, errors.front().code, errors.front().message,
                                errors.front().field, errors};
    const time_ms now = now_ms();
    co_return co_await write_change<known_problem>(a, [&](SQLite::Database& db, std::size_t& mails) -> outcome<known_problem> {
        auto p = find_problem(db, id);
        if (!p) return problem_not_found();
        if (!p->open())
            return field_refusal(http::status::conflict, "problem_resolved", "Diese Störung ist bereits behoben.", "");
        const auto v = current_viewer(a, db, who, now);
        if (auto refused = attach_in(a, db, who, v, *p, numbers, now, mails)) throw request_refused(std::move(*refused));
        return *p;
    });
}

net::awaitable<outcome<known_problem>> join_problem(app& a, const user& who, std::int64_t id, std::string room,
                                                    std::string note) {
    const time_ms now = now_ms();
    co_return co_await write_change<known_problem>(a, [&](SQLite::Database& db, std::size_t&) -> outcome<known_problem> {
        auto p = find_problem(db, id);
        const auto v = current_viewer(a, db, who, now);
        if (!p || (v.who == role::teacher && !p->concerns(who.school_number))) return problem_not_found();
        if (auto refused = check_join(*p, v, who.school_number, room, note)) return to_request_error(*refused);
        const std::string trimmed_room(trim(room));
        if (!add_affected(db, p->id, {who.id, "", who.school_number, now, trimmed_room, note, ""}))
            return field_refusal(http::status::conflict, "already_joined", "Sie sind bereits als betroffen eingetragen.", "");
        append_audit(db, now, who.id, "problem_joined", fmt::format("problem {}", p->id), trimmed_room);
        return *p;
    });
}

net::awaitable<outcome<known_problem>> resolve_problem_as(app& a, const user& who, std::int64_t id,
                                                          std::string resolution) {
    const time_ms now = now_ms();
    co_return co_await write_change<known_problem>(a, [&](SQLite::Database& db, std::size_t& mails) -> outcome<known_problem> {
        auto p = find_problem(db, id);
        const auto v = current_viewer(a, db, who, now);
        if (!p || (!is_staff(v.who) && !p->concerns(who.school_number))) return problem_not_found();
        if (auto refused = check_resolve(*p, v, resolution)) return to_request_error(*refused);
        resolve_problem(db, p->id, now, who.id, resolution);
        append_audit(db, now, who.id, "problem_resolved", fmt::format("problem {}", p->id), resolution.substr(0, 200));
        // The attached tickets are resolved with the problem, by whoever resolves it, as the help desk would: they
        // were attached by staff who could see them, and a campus manager resolving a city-wide problem may not
        // see every school's ticket.
        viewer help_desk{who.id, role::dispatcher, "", 0, {}};
        for (const auto& t : problem_tickets(db, p->id)) {
            if (!is_open_status(t.state)) continue;
            auto done = apply_action(a, db, help_desk, {who.id, who.manager_id}, t.part.ticket,
                                     [&](const action_context& c) { return plan_status_change(c, status::resolved, resolution); },
                                     now, mails);
            if (auto* refused = std::get_if<request_error>(&done)) throw request_refused(std::move(*refused));
        }
        std::vector<std::int64_t> joined;
        for (const auto& person : affected_people(db, p->id))
            if (person.ticket.empty()) joined.push_back(person.user_id);
        const auto notices = notices_for_resolved_problem(p->id, joined, {who.id, who.manager_id});
        mails += queue_notices(a.config.mail, db, notices, 0, now);
        p->resolved_at = now;
        p->resolved_by = who.id;
        p->resolution = resolution;
        return *p;
    });
}

net::awaitable<std::optional<problem_view>> find_visible_problem(app& a, const user& who, std::int64_t id) {
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) -> std::optional<problem_view> {
        auto p = find_problem(db, id);
        if (!p) return std::nullopt;
        const auto v = current_viewer(a, db, who, now);
        auto people = affected_people(db, p->id);
        const bool affected = std::any_of(people.begin(), people.end(), [&](const auto& x) { return x.user_id == who.id; });
        if (!is_staff(v.who) && !p->concerns(who.school_number) && !affected) return std::nullopt;
        problem_view view;
        view.sla = evaluate_problem_sla(*p, a.config.sla, a.calendar, now);
        view.teachers_affected = static_cast<std::int64_t>(people.size());
        view.viewer_affected = affected;
        view.viewer_may_join = !affected && !check_join(*p, v, who.school_number, "", "").has_value();
        if (is_staff(v.who)) {
            view.tickets = problem_tickets(db, p->id);
            view.affected = std::move(people);
        }
        view.problem = std::move(*p);
        return view;
    });
}

net::awaitable<std::vector<problem_notice>> problem_notices(app& a, const user& who) {
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) {
        return problems_for_teacher(db, who.id, who.school_number, now - resolved_notice_ms);
    });
}

net::awaitable<std::vector<problem_notice>> visible_problems(app& a, const user& who) {
    if (!is_staff(who.who)) co_return co_await problem_notices(a, who);
    co_return co_await a.storage->read([&](SQLite::Database& db) {
        std::vector<problem_notice> list;
        for (auto& p : list_problems(db, 50)) list.push_back({std::move(p), false});
        return list;
    });
}

net::awaitable<outcome<ticket>> merge_ticket(app& a, const user& who, std::string number, std::string into,
                                             std::string note) {
    if (!is_staff(who.who)) co_return staff_only_error();
    if (!is_valid_ticket_number(number)) co_return not_found_error();
    if (!is_valid_ticket_number(into))
        co_return field_refusal(http::status::unprocessable_entity, "unknown_ticket", "Bitte eine gültige Ticketnummer angeben.",
                                "into");
    const time_ms now = now_ms();
    co_return co_await write_change<ticket>(a, [&](SQLite::Database& db, std::size_t& mails) -> outcome<ticket> {
        const auto v = current_viewer(a, db, who, now);
        auto duplicate = find_ticket(db, number);
        if (!duplicate || !can_see_ticket(a, v, *duplicate)) return not_found_error();
        auto main = find_ticket(db, into);
        // A ticket the user cannot see is no target, whichever school it belongs to: as absent.
        if (!main || !can_see_ticket(a, v, *main))
            return field_refusal(http::status::unprocessable_entity, "unknown_ticket",
                                 fmt::format("Ticket {} nicht gefunden.", into), "into");
        const auto main_chain = merged_into_chain(db, main->id), duplicate_chain = merged_into_chain(db, duplicate->id);
        if (auto refused = check_merge(v, {*main, *duplicate, main_chain, duplicate_chain}, note, a.config.limits.reply_max))
            return to_request_error(*refused);
        const auto requester = load_user_names(db, {duplicate->requester_id})[duplicate->requester_id];
        const std::string closing = fmt::format("Zusammengeführt in {}: dort geht es weiter.{}{}", main->number,
                                                note.empty() ? "" : "\n\n", note);
        auto closed = apply_action(a, db, v, {who.id, who.manager_id}, duplicate->number,
                                   [&](const action_context& c) { return plan_status_change(c, status::closed, closing); },
                                   now, mails);
        if (auto* refused = std::get_if<request_error>(&closed)) throw request_refused(std::move(*refused));
        // The duplicate's history moves over as an entry of the main ticket's timeline: who reported it, what they
        // wrote and where; the duplicate keeps its own events and points here.
        std::string moved = fmt::format("{} von {} wurde hierher zusammengeführt: „{}“", duplicate->number,
                                        requester.empty() ? "unbekannt" : requester, duplicate->title);
        if (!duplicate->room.empty()) moved += fmt::format(" (Raum {})", duplicate->room);
        if (!duplicate->description.empty()) moved += "\n\n" + utf8_prefix(duplicate->description, 2000);
        if (!note.empty()) moved += "\n\n" + note;
        auto noted = apply_action(a, db, v, {who.id, who.manager_id}, main->number,
                                  [&](const action_context& c) { return plan_reply(c, utf8_prefix(moved, c.max_text), true); },
                                  now, mails);
        if (auto* refused = std::get_if<request_error>(&noted)) throw request_refused(std::move(*refused));
        insert_link(db, link_kind::merged, duplicate->id, main->id, now, who.id);
        append_audit(db, now, who.id, "merged", duplicate->number, main->number);
        return std::get<ticket>(closed);
    });
}

net::awaitable<outcome<ticket>> link_ticket(app& a, const user& who, std::string number, std::string to) {
    if (!is_staff(who.who)) co_return staff_only_error();
    if (!is_valid_ticket_number(number)) co_return not_found_error();
    if (!is_valid_ticket_number(to))
        co_return field_refusal(http::status::unprocessable_entity, "unknown_ticket", "Bitte eine gültige Ticketnummer angeben.",
                                "to");
    const time_ms now = now_ms();
    co_return co_await write_change<ticket>(a, [&](SQLite::Database& db, std::size_t& mails) -> outcome<ticket> {
        const auto v = current_viewer(a, db, who, now);
        auto from = find_ticket(db, number);
        if (!from || !can_see_ticket(a, v, *from)) return not_found_error();
        auto other = find_ticket(db, to);
        if (!other || !can_see_ticket(a, v, *other))
            return field_refusal(http::status::unprocessable_entity, "unknown_ticket", fmt::format("Ticket {} nicht gefunden.", to),
                                 "to");
        if (auto refused = check_link(v, *from, *other, linked(db, from->id, other->id))) return to_request_error(*refused);
        insert_link(db, link_kind::related, from->id, other->id, now, who.id);
        // Each ticket's timeline says so (a closed ticket takes no more entries: its link list shows it).
        for (const auto& [self, peer] : {std::pair{&*from, &*other}, std::pair{&*other, &*from}}) {
            append_audit(db, now, who.id, "linked", self->number, peer->number);
            if (self->state == status::closed) continue;
            const std::string text = fmt::format("Verknüpft mit {}: „{}“", peer->number, peer->title);
            auto noted = apply_action(a, db, v, {who.id, who.manager_id}, self->number,
                                      [&](const action_context& c) { return plan_reply(c, utf8_prefix(text, c.max_text), true); },
                                      now, mails);
            if (auto* refused = std::get_if<request_error>(&noted)) throw request_refused(std::move(*refused));
        }
        return *find_ticket(db, number);
    });
}

net::awaitable<std::optional<ticket_links_view>> visible_ticket_links(app& a, const user& who, std::string number) {
    if (!is_valid_ticket_number(number)) co_return std::nullopt;
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) -> std::optional<ticket_links_view> {
        const auto v = current_viewer(a, db, who, now);
        auto t = find_ticket(db, number);
        if (!t || !can_see_ticket(a, v, *t)) return std::nullopt;
        ticket_links_view view;
        view.number = t->number;
        view.merged_into = merged_into_chain(db, t->id);
        view.problem_id = problem_of_ticket(db, t->id);
        for (auto& l : links_of(db, t->id)) {
            const auto other = find_ticket_by_id(db, l.other_id);
            const bool visible = other && can_see_ticket(a, v, *other);
            view.links.push_back({std::move(l), visible});
        }
        return view;
    });
}

} // namespace campusdesk
