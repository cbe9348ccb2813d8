#include "core/sla_report.hpp"

#include "core/local_time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace campusdesk {

std::optional<report_month> parse_report_month(std::string_view text) {
    if (text.size() != 7 || text[4] != '-') return std::nullopt;
    int year = 0;
    unsigned month = 0;
    for (std::size_t i = 0; i < 7; ++i) {
        if (i == 4) continue;
        const char c = text[i];
        if (c < '0' || c > '9') return std::nullopt;
        if (i < 4) year = year * 10 + (c - '0');
        else month = month * 10 + static_cast<unsigned>(c - '0');
    }
    if (year < 1970 || year > 2999 || month < 1 || month > 12) return std::nullopt;
    return report_month{year, month};
}

std::string to_string(report_month m) { return fmt::format("{:04}-{:02}", m.year, m.month); }

report_month next_month(report_month m) { return m.month == 12 ? report_month{m.year + 1, 1} : report_month{m.year, m.month + 1}; }

report_month previous_month(report_month m) {
    return m.month == 1 ? report_month{m.year - 1, 12} : report_month{m.year, m.month - 1};
}

report_month month_of(time_ms t, const date::time_zone* zone) {
    const auto d = local_date_of(t, zone);
    return {d.year, d.month};
}

report_period period_of(report_month m, const date::time_zone* zone, time_ms real_now) {
    report_period p;
    p.start = local_month_start(m.year, m.month, zone);
    const auto next = next_month(m);
    p.end = local_month_start(next.year, next.month, zone);
    p.now = std::min(p.end, real_now);
    return p;
}

std::optional<std::int64_t> median_minutes(std::vector<std::int64_t> values) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    if (n % 2 == 1) return values[n / 2];
    const auto low = values[n / 2 - 1], high = values[n / 2];
    // Minutes are never negative, so halving the sum rounds down; the sum cannot overflow for real durations.
    return (low + high) / 2;
}

sla_summary summarize(std::span<const sla_report_row* const> rows) {
    sla_summary s;
    std::vector<std::int64_t> first_response, resolution;
    for (const auto* r : rows) {
        ++s.tickets;
        if (r->first_response_verdict == sla_verdict::met) ++s.first_response_met;
        if (r->first_response_verdict == sla_verdict::breached) ++s.first_response_breached;
        if (r->resolution_verdict == sla_verdict::met) ++s.resolution_met;
        if (r->resolution_verdict == sla_verdict::breached) ++s.resolution_breached;
        if (r->first_response_at) first_response.push_back(r->first_response_minutes);
        if (r->resolved_at) resolution.push_back(r->resolution_minutes);
        if (r->open_at_end()) ++s.open_at_end;
        if (r->breached()) ++s.breaches;
    }
    auto percent = [](std::int64_t met, std::int64_t breached) -> std::optional<double> {
        if (met + breached == 0) return std::nullopt;
        return 100.0 * static_cast<double>(met) / static_cast<double>(met + breached);
    };
    s.first_response_met_percent = percent(s.first_response_met, s.first_response_breached);
    s.resolution_met_percent = percent(s.resolution_met, s.resolution_breached);
    s.median_first_response_minutes = median_minutes(std::move(first_response));
    s.median_resolution_minutes = median_minutes(std::move(resolution));
    return s;
}

namespace {

// The assignee at `now`: the manager of the latest `created`/`assigned` event up to then.
std::int64_t assignee_at(std::span<const ticket_event> ordered, time_ms now) {
    std::int64_t id = 0;
    for (const auto& e : ordered) {
        if (e.at > now) break;
        if ((e.kind == event_kind::created || e.kind == event_kind::assigned) && e.manager_id) id = *e.manager_id;
    }
    return id;
}

template <class Key>
std::vector<sla_summary> group(const std::vector<sla_report_row>& rows, Key key_of) {
    std::map<std::string, std::vector<const sla_report_row*>> groups;
    for (const auto& r : rows) groups[key_of(r)].push_back(&r);
    std::vector<sla_summary> out;
    for (const auto& [key, members] : groups) {
        out.push_back(summarize(members));
        out.back().key = key;
    }
    return out;
}

} // namespace

sla_report build_sla_report(report_month month, std::span<const report_ticket> tickets,
                            std::span<const report_manager> managers, const sla_policy& policy,
                            const business_calendar& calendar, time_ms real_now) {
    sla_report report;
    report.month = month;
    report.period = period_of(month, calendar.zone(), real_now);
    const auto& p = report.period;
    std::map<std::int64_t, const report_manager*> manager_by_id;
    for (const auto& m : managers) manager_by_id[m.id] = &m;

    std::vector<ticket_event> ordered;
    for (const auto& t : tickets) {
        ordered.assign(t.events.begin(), t.events.end());
        std::sort(ordered.begin(), ordered.end(),
                  [](const ticket_event& a, const ticket_event& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; });
        const auto created = std::find_if(ordered.begin(), ordered.end(), [](const ticket_event& e) {
            return e.kind == event_kind::created && e.to_priority.has_value();
        });
        if (created == ordered.end()) continue;
        // The month is that of the created event; one created after "now" did not exist yet then.
        if (created->at < p.start || created->at >= p.end || created->at > p.now) continue;
        const std::span<const ticket_event> history(&*created, static_cast<std::size_t>(ordered.end() - created));
        const auto r = evaluate_sla(history, policy, calendar, p.now);

        sla_report_row row;
        row.ticket = t.number;
        row.school_number = t.school_number;
        row.school_name = t.school_name;
        row.manager_id = assignee_at(history, p.now);
        if (auto it = manager_by_id.find(row.manager_id); it != manager_by_id.end())
            row.campus_manager = it->second->login;
        row.prio = r.current_priority;
        row.category = t.category;
        row.created_at = created->at;
        row.first_response_at = r.first_response.ended_at;
        row.first_response_minutes = r.first_response.used_minutes();
        row.first_response_target = r.first_response.target_minutes;
        row.first_response_verdict = r.first_response.verdict;
        row.resolved_at = r.resolution.ended_at;
        row.resolution_minutes = r.resolution.used_minutes();
        row.resolution_target = r.resolution.target_minutes;
        row.resolution_verdict = r.resolution.verdict;
        row.paused_minutes = r.paused_minutes();
        row.reopen_count = r.reopen_count;
        row.escalated = r.escalated;
        row.status_at_end = r.current_status;
        report.rows.push_back(std::move(row));
    }
    std::sort(report.rows.begin(), report.rows.end(), [](const sla_report_row& a, const sla_report_row& b) {
        return a.created_at != b.created_at ? a.created_at < b.created_at : a.ticket < b.ticket;
    });

    std::vector<const sla_report_row*> all;
    for (const auto& r : report.rows) all.push_back(&r);
    report.total = summarize(all);

    // Managers: everyone given, also without tickets (a quiet month is a figure too), then unknown assignees.
    auto by_manager = group(report.rows, [](const sla_report_row& r) { return r.campus_manager; });
    std::vector<report_manager> sorted(managers.begin(), managers.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.login < b.login; });
    for (const auto& m : sorted) {
        auto it = std::find_if(by_manager.begin(), by_manager.end(), [&](const auto& s) { return s.key == m.login; });
        sla_summary s;
        if (it != by_manager.end()) {
            s = std::move(*it);
            by_manager.erase(it);
        }
        s.key = m.login;
        s.label = m.name;
        report.per_manager.push_back(std::move(s));
    }
    for (auto& s : by_manager) report.per_manager.push_back(std::move(s));

    report.per_school = group(report.rows, [](const sla_report_row& r) { return r.school_number; });
    for (auto& s : report.per_school)
        for (const auto& r : report.rows)
            if (r.school_number == s.key) {
                s.label = r.school_name;
                break;
            }

    for (auto prio : all_priorities) {
        std::vector<const sla_report_row*> members;
        for (const auto& r : report.rows)
            if (r.prio == prio) members.push_back(&r);
        auto s = summarize(members);
        s.key = std::string(to_string(prio));
        report.per_priority.push_back(std::move(s));
    }
    report.per_category = group(report.rows, [](const sla_report_row& r) { return r.category; });
    return report;
}

} // namespace campusdesk
