#include "core/known_problems.hpp"

#include "core/sla_report.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace campusdesk {

bool known_problem::concerns(std::string_view school_number) const {
    return all_schools || std::find(schools.begin(), schools.end(), school_number) != schools.end();
}

priority problem_priority(priority declared, std::span<const problem_part> parts) {
    // The enum runs from critical to low, so the highest priority is the smallest value.
    priority highest = declared;
    for (const auto& p : parts) highest = std::min(highest, p.prio);
    return highest;
}

priority declared_priority(std::string_view chosen, bool has_tickets) {
    if (auto p = parse_priority(chosen)) return *p;
    return has_tickets ? priority::low : priority::critical;
}

time_ms problem_start(time_ms declared_at, std::span<const problem_part> parts) {
    time_ms start = declared_at;
    for (const auto& p : parts) start = std::min(start, p.created_at);
    return start;
}

std::vector<ticket_event> problem_history(const known_problem& p) {
    std::vector<ticket_event> events;
    ticket_event created;
    created.seq = 1;
    created.at = p.started_at;
    created.kind = event_kind::created;
    created.to_priority = p.prio;
    events.push_back(created);
    ticket_event declared;
    declared.seq = 2;
    declared.at = std::max(p.declared_at, p.started_at);
    declared.actor_id = p.declared_by;
    declared.by_staff = true;
    declared.kind = event_kind::public_reply;
    events.push_back(declared);
    if (p.resolved_at) {
        ticket_event resolved;
        resolved.seq = 3;
        resolved.at = std::max(*p.resolved_at, declared.at);
        resolved.actor_id = p.resolved_by;
        resolved.by_staff = true;
        resolved.kind = event_kind::resolved;
        events.push_back(resolved);
    }
    return events;
}

sla_result evaluate_problem_sla(const known_problem& p, const sla_policy& policy, const business_calendar& calendar,
                                time_ms now) {
    return evaluate_sla(problem_history(p), policy, calendar, std::max(now, p.started_at));
}

namespace {

std::optional<std::string> text_problem(std::string_view text, std::size_t max, text_lines lines) {
    if (!is_valid_utf8(text)) return "Ungültige Zeichen.";
    if (has_control_characters(text, lines)) return "Steuerzeichen sind nicht erlaubt.";
    if (utf8_length(text) > max) return fmt::format("Der Text ist zu lang (höchstens {} Zeichen).", max);
    return std::nullopt;
}

action_error staff_only() {
    return {refusal::forbidden, "forbidden", "Das dürfen nur Mitarbeitende des IT-Supports.", ""};
}

} // namespace

std::vector<field_error> validate_problem_draft(const problem_draft& d, role who, time_ms now,
                                                const std::function<bool(std::string_view)>& known_school) {
    std::vector<field_error> errors;
    if (!is_staff(who)) {
        errors.push_back({"", "forbidden", "Das dürfen nur Mitarbeitende des IT-Supports."});
        return errors;
    }
    if (auto p = text_problem(d.title, problem_title_max, text_lines::single))
        errors.push_back({"title", "invalid", *p});
    else if (is_blank(d.title))
        errors.push_back({"title", "required", "Bitte einen kurzen Text für die Lehrkräfte angeben."});
    if (auto p = text_problem(d.description, problem_text_max, text_lines::multi))
        errors.push_back({"description", "invalid", *p});
    if (!d.all_schools && d.schools.empty())
        errors.push_back({"schools", "required", "Bitte mindestens eine Schule wählen oder „alle Schulen“."});
    if (d.schools.size() > 100)
        errors.push_back({"schools", "too_many", "Höchstens 100 Schulen; sonst bitte „alle Schulen“ wählen."});
    for (const auto& s : d.schools)
        if (!known_school(s)) {
            errors.push_back({"schools", "unknown_school", fmt::format("Unbekannte Schule: {}.", utf8_prefix(s, 20))});
            break;
        }
    if (!d.priority.empty() && !parse_priority(d.priority))
        errors.push_back({"priority", "unknown_priority", "Unbekannte Priorität."});
    if (d.expected_at && *d.expected_at < now)
        errors.push_back({"expected_at", "in_past", "Die erwartete Behebung liegt in der Vergangenheit."});
    if (d.tickets.size() > 200) errors.push_back({"tickets", "too_many", "Höchstens 200 Tickets auf einmal."});
    for (const auto& t : d.tickets)
        if (!is_valid_ticket_number(t)) {
            errors.push_back({"tickets", "invalid_ticket", "Ungültige Ticketnummer."});
            break;
        }
    return errors;
}

std::optional<action_error> check_join(const known_problem& p, const viewer& v, std::string_view school_number,
                                       std::string_view room, std::string_view note) {
    if (!p.open())
        return action_error{refusal::conflict, "problem_resolved", "Diese Störung ist bereits behoben.", ""};
    if (school_number.empty() || !p.concerns(school_number))
        return action_error{refusal::forbidden, "not_concerned", "Diese Störung betrifft Ihre Schule nicht.", ""};
    if (v.who == role::teacher && school_number != v.school_number)
        return action_error{refusal::forbidden, "not_concerned", "Diese Störung betrifft Ihre Schule nicht.", ""};
    if (auto e = text_problem(room, affected_room_max, text_lines::single))
        return action_error{refusal::invalid, "invalid", *e, "room"};
    if (auto e = text_problem(note, affected_note_max, text_lines::multi))
        return action_error{refusal::invalid, "invalid", *e, "note"};
    return std::nullopt;
}

std::optional<action_error> check_resolve(const known_problem& p, const viewer& v, std::string_view resolution) {
    if (!is_staff(v.who)) return staff_only();
    if (!p.open()) return action_error{refusal::conflict, "problem_resolved", "Diese Störung ist bereits behoben.", ""};
    if (auto e = text_problem(resolution, problem_text_max, text_lines::multi))
        return action_error{refusal::invalid, "invalid", *e, "resolution"};
    if (is_blank(resolution))
        return action_error{refusal::invalid, "required", "Bitte angeben, was behoben wurde.", "resolution"};
    return std::nullopt;
}

std::optional<action_error> check_merge(const viewer& v, const merge_facts& f, std::string_view note,
                                        std::size_t max_text) {
    if (!is_staff(v.who)) return staff_only();
    if (f.main.id == f.duplicate.id)
        return action_error{refusal::invalid, "same_ticket", "Ein Ticket kann nicht mit sich selbst zusammengeführt werden.",
                            "into"};
    if (std::find(f.main_merged_into.begin(), f.main_merged_into.end(), f.duplicate.number) != f.main_merged_into.end())
        return action_error{refusal::conflict, "merge_cycle",
                            fmt::format("{} ist bereits in {} zusammengeführt.", f.main.number, f.duplicate.number),
                            "into"};
    if (!f.main_merged_into.empty())
        return action_error{refusal::conflict, "target_merged",
                            fmt::format("{} ist selbst zusammengeführt in {}; bitte dorthin zusammenführen.",
                                        f.main.number, f.main_merged_into.back()),
                            "into"};
    if (f.main.state == status::closed)
        return action_error{refusal::conflict, "target_closed", "In ein geschlossenes Ticket kann nicht zusammengeführt werden.",
                            "into"};
    if (!f.duplicate_merged_into.empty())
        return action_error{refusal::conflict, "already_merged",
                            fmt::format("Das Ticket ist bereits in {} zusammengeführt.", f.duplicate_merged_into.front()),
                            ""};
    if (f.duplicate.state == status::closed)
        return action_error{refusal::conflict, "ticket_closed", "Das Ticket ist geschlossen.", ""};
    if (auto e = text_problem(note, max_text, text_lines::multi)) return action_error{refusal::invalid, "invalid", *e, "note"};
    return std::nullopt;
}

std::string_view to_string(link_kind k) { return k == link_kind::merged ? "merged" : "related"; }

std::optional<link_kind> parse_link_kind(std::string_view text) {
    if (text == "related") return link_kind::related;
    if (text == "merged") return link_kind::merged;
    return std::nullopt;
}

std::optional<action_error> check_link(const viewer& v, const ticket& from, const ticket& to, bool already_linked) {
    if (!is_staff(v.who)) return staff_only();
    if (from.id == to.id)
        return action_error{refusal::invalid, "same_ticket", "Ein Ticket kann nicht mit sich selbst verknüpft werden.", "to"};
    if (already_linked)
        return action_error{refusal::conflict, "already_linked", "Die Tickets sind bereits verknüpft.", "to"};
    return std::nullopt;
}

problem_report build_problem_report(std::span<const report_problem> problems, time_ms period_start, time_ms period_now,
                                    const sla_policy& policy, const business_calendar& calendar,
                                    const std::function<std::optional<bool>(const std::string&)>& ticket_breached) {
    problem_report report;
    std::vector<std::int64_t> resolution_minutes;
    for (const auto& rp : problems) {
        known_problem p = rp.problem;
        if (p.started_at < period_start || p.started_at >= period_now) continue;
        // As the history stood at "now": a later resolution is not yet known, a later declaration neither.
        if (p.declared_at >= period_now) continue;
        if (p.resolved_at && *p.resolved_at >= period_now) p.resolved_at.reset();
        problem_report_row row;
        row.id = p.id;
        row.title = p.title;
        if (p.all_schools) {
            row.schools = "alle";
        } else {
            for (const auto& s : p.schools) row.schools += (row.schools.empty() ? "" : ",") + s;
        }
        row.prio = p.prio;
        row.started_at = p.started_at;
        row.declared_at = p.declared_at;
        row.resolved_at = p.resolved_at;
        row.duration_minutes = (p.resolved_at.value_or(period_now) - p.started_at) / 60000;
        row.sla = evaluate_problem_sla(p, policy, calendar, period_now);
        row.tickets = static_cast<std::int64_t>(rp.tickets.size());
        row.teachers_affected = rp.teachers_affected;
        auto& s = report.summary;
        ++s.problems;
        if (p.resolved_at) {
            ++s.resolved;
            resolution_minutes.push_back(row.sla.resolution.used_minutes());
        }
        if (row.sla.breached()) ++s.breaches;
        s.total_duration_minutes += row.duration_minutes;
        s.tickets += row.tickets;
        s.teachers_affected += row.teachers_affected;
        for (const auto& number : rp.tickets)
            if (auto breached = ticket_breached(number)) {
                ++s.ticket_rows_in_problems;
                if (*breached) ++s.ticket_breaches_in_problems;
            }
        report.rows.push_back(std::move(row));
    }
    std::sort(report.rows.begin(), report.rows.end(), [](const auto& a, const auto& b) {
        return a.started_at != b.started_at ? a.started_at < b.started_at : a.id < b.id;
    });
    report.summary.median_resolution_minutes = median_minutes(std::move(resolution_minutes));
    return report;
}

} // namespace campusdesk
