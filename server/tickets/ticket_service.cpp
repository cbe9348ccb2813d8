#include "server/tickets/ticket_service.hpp"

#include "storage/read_snapshot.hpp"

#include "server/http/log.hpp"
#include "core/local_time.hpp"
#include "core/routing.hpp"
#include "server/mail/mail_sender.hpp"
#include "server/mail/notifier.hpp"
#include "server/devices/device_service.hpp"

#include <fmt/format.h>

namespace campusdesk {

request_error not_found_error() {
    return {http::status::not_found, "not_found", "Ticket nicht gefunden.", "", {}};
}

viewer current_viewer(const app& a, SQLite::Database& db, const user& u, time_ms now) {
    viewer v = a.viewer_of(u);
    if (u.who == role::campus_manager) v.covering = covered_managers(u.manager_id, load_absences(db), now);
    return v;
}

std::optional<request_error> check_new_ticket(const app& a, const user& filer, ticket_draft& draft) {
    if (filer.who == role::teacher && draft.school_number.empty()) draft.school_number = filer.school_number;
    auto errors = validate_draft(draft, a.viewer_of(filer), a.config);
    if (errors.empty()) return std::nullopt;
    auto first = errors.front();
    return request_error{http::status::unprocessable_entity, first.code, first.message, first.field, std::move(errors)};
}

net::awaitable<std::optional<request_error>> check_phone_call(app& a, const user& filer, const ticket_draft& draft,
                                                              const phone_call& call) {
    if (!is_help_desk(filer.who))
        co_return request_error{http::status::forbidden, "forbidden",
                                "Nur der IT-Support (Leitstand) nimmt Meldungen für andere auf.", "", {}};
    auto errors = validate_caller(call.requester_id != 0, call.caller_name, call.caller_phone);
    if (call.requester_id != 0) {
        const auto teacher = co_await a.storage->read([&](SQLite::Database& db) { return find_user(db, call.requester_id); });
        if (!teacher || teacher->who != role::teacher || teacher->disabled)
            errors.insert(errors.begin(), {"requester", "unknown_requester", "Diese Lehrkraft hat kein aktives Konto."});
        else if (teacher->school_number != draft.school_number)
            errors.insert(errors.begin(),
                          {"requester", "other_school", "Diese Lehrkraft gehört nicht zur gewählten Schule."});
    }
    if (errors.empty()) co_return std::nullopt;
    auto first = errors.front();
    co_return request_error{http::status::unprocessable_entity, first.code, first.message, first.field, std::move(errors)};
}

net::awaitable<outcome<ticket>> create_ticket(app& a, const user& filer, ticket_draft draft,
                                              std::vector<attachment_record> files, std::optional<phone_call> call) {
    if (auto refused = check_new_ticket(a, filer, draft)) co_return std::move(*refused);
    if (call) {
        auto refused = co_await check_phone_call(a, filer, draft, *call);
        if (refused) co_return std::move(*refused);
    }
    auto found_device = co_await device_for_new_ticket(a, draft);
    if (auto* refused = std::get_if<request_error>(&found_device)) co_return std::move(*refused);
    const auto linked = std::get<std::optional<device>>(found_device);
    const time_ms now = now_ms();
    ticket t;
    t.school_number = draft.school_number;
    t.category = draft.category;
    t.prio = *parse_priority(draft.priority);
    t.title = draft.title;
    t.description = draft.description;
    t.room = draft.room;
    t.asset_tag = draft.asset_tag;
    // A device chosen from the list without a typed number: the ticket carries its label like a typed one.
    if (linked && t.asset_tag.empty()) t.asset_tag = linked->inventory_number.empty() ? linked->serial : linked->inventory_number;
    t.requester_id = call && call->requester_id != 0 ? call->requester_id : filer.id;
    ticket_event created;
    created.at = now;
    created.actor_id = filer.id;
    created.by_staff = is_staff(filer.who);
    const int year = local_date_of(now, a.calendar.zone()).year;
    const auto school_manager = a.dir.school(t.school_number)->manager_id;
    ticket stored;
    std::size_t mails = 0;
    try {
        stored = co_await a.storage->write([&](SQLite::Database& db) {
            ticket copy = t;
            const auto absences = load_absences(db);
            copy.assignee_id = route_new_ticket(school_manager, absences, now);
            auto stored_ticket = insert_ticket(db, copy, created, year, a.sla(), now);
            if (linked) link_ticket_device(db, stored_ticket.id, linked->id, now, a.config.devices.problem_tickets);
            for (auto file : files) {
                file.ticket_id = stored_ticket.id;
                insert_attachment(db, file);
            }
            if (call) {
                insert_phone_intake(db, {stored_ticket.id, filer.id, call->caller_name, call->caller_phone});
                append_audit(db, now, filer.id, "phone_intake", stored_ticket.number,
                             call->requester_id != 0 ? fmt::format("für Konto {}", call->requester_id)
                                                     : fmt::format("Anrufer: {}, {}", call->caller_name, call->caller_phone));
            }
            ticket_event first = created;
            first.kind = event_kind::created;
            first.seq = 1;
            mails = notify_events(a.config.mail, db, stored_ticket, std::span(&first, 1), {filer.id, filer.manager_id},
                                  absences, now);
            return stored_ticket;
        });
    } catch (const ticket_numbers_exhausted& e) {
        // Not the filer's fault and not cured by retrying: the operator has to look at what was imported.
        log_line(log_level::error, "ticket numbers used up", {{"year", e.year}});
        co_return request_error{http::status::service_unavailable, "ticket_numbers_exhausted",
                                "Für dieses Jahr sind keine Ticketnummern mehr frei. Bitte den IT-Support anrufen.",
                                "",
                                {}};
    }
    ++a.metrics.tickets_created;
    mails_queued(a, mails);
    a.live.publish(stored);
    co_return stored;
}

request_error to_request_error(const action_error& e) {
    const auto status = e.kind == refusal::forbidden  ? http::status::forbidden
                        : e.kind == refusal::conflict ? http::status::conflict
                                                      : http::status::unprocessable_entity;
    return {status, e.code, e.message, e.field, {}};
}

action_context action_context_for(const app& a, const viewer& v, const ticket& t,
                                  std::span<const ticket_event> history, time_ms now) {
    return {v, t, history, now, reopen_window_ms(a.config.reopen_window_days), a.config.limits.reply_max};
}

outcome<ticket> apply_action(app& a, SQLite::Database& db, const viewer& v, const notice_actor& actor,
                             const std::string& number, const action_planner& plan, time_ms now, std::size_t& mails) {
    auto t = find_ticket(db, number);
    const auto* school = t ? a.dir.school(t->school_number) : nullptr;
    if (!t || !can_see(v, *t, school ? school->manager_id : 0, a.config.teachers_see_school_tickets))
        return not_found_error();
    const auto history = load_events(db, t->id);
    auto planned = plan(action_context_for(a, v, *t, history, now));
    if (auto* refused = std::get_if<action_error>(&planned)) return to_request_error(*refused);
    ticket current = *t;
    std::vector<ticket_event> appended;
    std::int64_t seq = history.empty() ? 0 : history.back().seq;
    for (const auto& e : std::get<planned_events>(planned)) {
        current = append_event(db, current, e, a.sla(), now);
        append_audit(db, now, e.actor_id, to_string(e.kind), number, e.body.substr(0, 200));
        appended.push_back(e);
        appended.back().seq = ++seq;
    }
    if (a.config.mail.enabled) mails += notify_events(a.config.mail, db, current, appended, actor, load_absences(db), now);
    return current;
}

net::awaitable<outcome<ticket>> perform_action(app& a, const user& who, std::string number, action_planner plan) {
    if (!is_valid_ticket_number(number)) co_return not_found_error();
    const time_ms now = now_ms();
    std::size_t mails = 0;
    auto result = co_await a.storage->write([&](SQLite::Database& db) -> outcome<ticket> {
        return apply_action(a, db, current_viewer(a, db, who, now), {who.id, who.manager_id}, number, plan, now, mails);
    });
    if (const auto* changed = std::get_if<ticket>(&result)) {
        mails_queued(a, mails);
        a.live.publish(*changed);
    }
    co_return result;
}

namespace {

// close_expired_resolutions, answering the closed tickets as they now stand (for live updates once committed).
std::vector<ticket> close_expired(app& a, SQLite::Database& db, time_ms now, std::size_t at_most, std::size_t& queued) {
    const time_ms cutoff = last_resolution_with_window_over(now, reopen_window_ms(a.config.reopen_window_days));
    // The window runs from the latest resolution (as for the requester's reopen, plan_status_change), not from
    // the last change: a note added to a resolved ticket must not keep it waiting beyond the window.
    const auto numbers = find_resolved_before(db, cutoff, at_most);
    std::vector<ticket> closed_tickets;
    for (const auto& number : numbers) {
        auto t = find_ticket(db, number);
        ticket_event closed;
        closed.at = now;
        closed.actor_id = 0;
        closed.by_staff = false;
        closed.kind = event_kind::closed;
        closed.body = "Automatisch geschlossen: Lösung nicht innerhalb der Frist beanstandet.";
        const auto current = append_event(db, *t, closed, a.sla(), now);
        append_audit(db, now, 0, to_string(closed.kind), number, closed.body);
        // The closing event's text is the template's own (actor 0), so the notice needs no seq.
        queued += notify_events(a.config.mail, db, current, std::span(&closed, 1), {}, {}, now);
        closed_tickets.push_back(current);
    }
    return closed_tickets;
}

} // namespace

std::size_t close_expired_resolutions(app& a, SQLite::Database& db, time_ms now, std::size_t at_most,
                                      std::size_t& queued) {
    return close_expired(a, db, now, at_most, queued).size();
}

net::awaitable<void> close_expired_resolutions_periodically(app& a, net::steady_timer& timer,
                                                            std::chrono::milliseconds period) {
    // In chunks, each its own transaction, so that a backlog (an import of old history) never holds the
    // writer for long: requests' writes queue between the chunks.
    constexpr std::size_t chunk = 200;
    for (;;) {
        const time_ms now = now_ms();
        std::size_t closed = 0;
        try {
            for (std::size_t n = chunk; n == chunk; closed += n) {
                std::size_t mails = 0;
                const auto chunk_closed = co_await a.storage->write([&](SQLite::Database& db) {
                    return close_expired(a, db, now, chunk, mails);
                });
                mails_queued(a, mails);
                // Committed: each ticket's page and the queues that show it refresh.
                for (const auto& t : chunk_closed) a.live.publish(t);
                n = chunk_closed.size();
            }
        } catch (const std::exception& e) {
            // A busy or full disk must not end the loop: the next round tries again.
            log_line(log_level::warning, "auto-close failed", {{"error", e.what()}});
        }
        if (closed > 0) {
            log_line(log_level::info, "auto-closed resolved tickets", {{"count", closed}});
        }
        timer.expires_after(period);
        auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
    }
}

namespace {
// Absent or invisible: 404 alike; closed: 409.
std::optional<request_error> attach_refusal(const app& a, SQLite::Database& db, const user& who,
                                            const std::optional<ticket>& t, time_ms now) {
    const auto* school = t ? a.dir.school(t->school_number) : nullptr;
    if (!t || !can_see(current_viewer(a, db, who, now), *t, school ? school->manager_id : 0,
                       a.config.teachers_see_school_tickets))
        return not_found_error();
    if (t->state == status::closed)
        return request_error{http::status::conflict, "ticket_closed", "Das Ticket ist geschlossen.", "", {}};
    return std::nullopt;
}
} // namespace

net::awaitable<std::optional<request_error>> check_attach(app& a, const user& who, const std::string& number) {
    if (!is_valid_ticket_number(number)) co_return not_found_error();
    const time_ms now = now_ms();
    co_return co_await a.storage->read(
        [&](SQLite::Database& db) { return attach_refusal(a, db, who, find_ticket(db, number), now); });
}

net::awaitable<outcome<ticket>> attach_files(app& a, const user& who, std::string number,
                                             std::vector<attachment_record> files) {
    if (!is_valid_ticket_number(number)) co_return not_found_error();
    const time_ms now = now_ms();
    auto result = co_await a.storage->write([&](SQLite::Database& db) -> outcome<ticket> {
        auto t = find_ticket(db, number);
        if (auto refused = attach_refusal(a, db, who, t, now)) return std::move(*refused);
        for (auto file : files) {
            file.ticket_id = t->id;
            file.uploaded_by = who.id;
            file.uploaded_at = now;
            insert_attachment(db, file);
            append_audit(db, now, who.id, "attachment", number, file.filename);
        }
        return *t;
    });
    if (const auto* changed = std::get_if<ticket>(&result)) a.live.publish(*changed);
    co_return result;
}

net::awaitable<std::optional<ticket_details>> find_visible_ticket(app& a, const user& who, std::string number) {
    if (!is_valid_ticket_number(number)) co_return std::nullopt;
    co_return co_await a.storage->read([&](SQLite::Database& db) -> std::optional<ticket_details> {
        auto t = find_ticket(db, number);
        if (!t) return std::nullopt;
        const auto* school = a.dir.school(t->school_number);
        if (!can_see(current_viewer(a, db, who, now_ms()), *t, school ? school->manager_id : 0,
                     a.config.teachers_see_school_tickets))
            return std::nullopt;
        ticket_details d{*t, load_events(db, t->id), {}, load_attachments(db, t->id), find_phone_intake(db, t->id)};
        std::vector<std::int64_t> ids{t->requester_id};
        if (d.intake) ids.push_back(d.intake->taken_by);
        for (const auto& e : d.events) ids.push_back(e.actor_id);
        for (const auto& f : d.attachments) ids.push_back(f.uploaded_by);
        d.user_names = load_user_names(db, ids);
        return d;
    });
}

net::awaitable<ticket_list> list_visible_tickets(app& a, const user& who, ticket_query query, bool with_count) {
    query.teachers_see_school_tickets = a.config.teachers_see_school_tickets;
    if (query.now == 0) query.now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) {
        query.who = current_viewer(a, db, who, query.now);
        // Lists of open tickets come from the board's pass while it is current (open_loads_memo), in one
        // read snapshot with the rows; else, and for every other list, from the list query.
        std::optional<ticket_page> page;
        if (listable_from_open_loads(query)) {
            read_snapshot snapshot(db);
            if (const auto open = a.open_tickets.current(db, a.calendar, query.now))
                page = list_from_open_loads(db, *open, query, a.sla());
        }
        ticket_list list{page ? std::move(*page) : list_tickets(db, query, a.sla()), query.who, std::nullopt};
        if (with_count) list.count = count_tickets(db, query, a.calendar);
        return list;
    });
}

} // namespace campusdesk
