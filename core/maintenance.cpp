#include "core/maintenance.hpp"

#include "core/german_holidays.hpp"
#include "core/ticket_rules.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace campusdesk {
namespace {

// Public holidays are computed for these years once; dates outside are refused by the checks long before.
constexpr int first_year = 1990;
constexpr int last_year = 2150;
constexpr std::int64_t days_per_week = 7;

// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
std::int64_t weekday_of(std::int64_t day) { return ((day + 3) % 7 + 7) % 7; }
std::int64_t monday_of(std::int64_t day) { return day - weekday_of(day); }

std::string trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

// A typed text: valid UTF-8, no control characters (docs/api-validation.md), at most `max` characters.
std::optional<maintenance_field_error> check_text(std::string_view field, std::string_view text, text_lines lines,
                                                  std::size_t max, std::string_view what) {
    if (!is_valid_utf8(text) || has_control_characters(text, lines))
        return maintenance_field_error{std::string(field), fmt::format("{} enthält ungültige Zeichen.", what)};
    if (utf8_length(text) > max)
        return maintenance_field_error{std::string(field), fmt::format("{} darf höchstens {} Zeichen haben.", what, max)};
    return std::nullopt;
}

} // namespace

std::int64_t day_number_of(local_date d) {
    const date::year_month_day ymd{date::year{d.year}, date::month{d.month}, date::day{d.day}};
    if (!ymd.ok()) throw std::invalid_argument(fmt::format("invalid date {:04}-{:02}-{:02}", d.year, d.month, d.day));
    return date::sys_days{ymd}.time_since_epoch().count();
}

local_date date_of_day_number(std::int64_t n) {
    const date::year_month_day ymd{date::sys_days{date::days{n}}};
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

school_calendar::school_calendar(const business_calendar_config& config) : state_(config.holiday_state) {
    for (int year = first_year; year <= last_year; ++year)
        for (const holiday& h : public_holidays(year, state_)) closure_days_.push_back(day_number_of(h.date));
    for (const auto& d : config.closure_days) closure_days_.push_back(day_number_of(d));
    std::sort(closure_days_.begin(), closure_days_.end());
    for (const auto& r : config.school_holidays) school_holidays_.emplace_back(day_number_of(r.first), day_number_of(r.last));
    std::sort(school_holidays_.begin(), school_holidays_.end());
    auto ranges = config.school_holidays;
    std::stable_sort(ranges.begin(), ranges.end(), [](const date_range& a, const date_range& b) { return a.first < b.first; });
    for (const auto& r : ranges)
        if (periods_.empty() || periods_.back().name != r.name) periods_.push_back(r);
        else periods_.back().last = std::max(periods_.back().last, r.last);
}

bool school_calendar::is_school_day_number(std::int64_t day) const {
    if (weekday_of(day) >= 5) return false;
    if (std::binary_search(closure_days_.begin(), closure_days_.end(), day)) return false;
    // The last period that begins on or before `day` (periods do not overlap: docs/calendars.md).
    auto it = std::upper_bound(school_holidays_.begin(), school_holidays_.end(),
                               std::pair{day, std::numeric_limits<std::int64_t>::max()});
    return it == school_holidays_.begin() || std::prev(it)->second < day;
}

bool school_calendar::is_school_day(local_date day) const { return is_school_day_number(day_number_of(day)); }

local_date school_calendar::last_day_of_school_week(local_date start, int n) const {
    if (n < 1) throw std::invalid_argument("a count of school weeks starts at 1");
    const std::int64_t first = day_number_of(start);
    // Ten years of weeks without a single school day would be a broken calendar, not a plan.
    const std::int64_t limit = first + 3660;
    int counted = 0;
    for (std::int64_t monday = monday_of(first); monday < limit; monday += days_per_week) {
        std::int64_t last = -1;
        for (std::int64_t day = std::max(monday, first); day < monday + 5; ++day)
            if (is_school_day_number(day)) last = day;
        if (last >= 0 && ++counted == n) return date_of_day_number(last);
    }
    throw std::out_of_range("no school weeks in ten years");
}

local_date school_calendar::last_school_day_before(local_date day) const {
    const std::int64_t n = day_number_of(day);
    for (std::int64_t d = n - 1; d > n - 3660; --d)
        if (is_school_day_number(d)) return date_of_day_number(d);
    throw std::out_of_range("no school day in ten years");
}

std::string_view to_string(maintenance_rule r) {
    return r == maintenance_rule::every_school_weeks ? "every_school_weeks" : "before_holidays";
}

std::optional<maintenance_rule> parse_maintenance_rule(std::string_view text) {
    if (text == "every_school_weeks") return maintenance_rule::every_school_weeks;
    if (text == "before_holidays") return maintenance_rule::before_holidays;
    return std::nullopt;
}

std::vector<maintenance_field_error> check_maintenance_plan(const maintenance_plan& p, const school_calendar& cal,
                                                            local_date today) {
    std::vector<maintenance_field_error> errors;
    if (trimmed(p.title).empty()) errors.push_back({"title", "Bitte einen Titel angeben."});
    else if (auto e = check_text("title", p.title, text_lines::single, max_plan_title, "Der Titel")) errors.push_back(*e);
    if (auto e = check_text("description", p.description, text_lines::multi, max_plan_description, "Die Beschreibung"))
        errors.push_back(*e);
    if (p.weeks < 1 || p.weeks > max_plan_weeks)
        errors.push_back({"weeks", p.rule == maintenance_rule::every_school_weeks
                                       ? fmt::format("Der Abstand: 1 bis {} Schulwochen.", max_plan_weeks)
                                       : fmt::format("Der Vorlauf: 1 bis {} Wochen.", max_plan_weeks)});
    if (p.rule == maintenance_rule::before_holidays) {
        const auto name = trimmed(p.holiday_name);
        if (auto e = check_text("holiday_name", p.holiday_name, text_lines::single, 60, "Der Name der Ferien")) {
            errors.push_back(*e);
        } else if (name.empty()) {
            errors.push_back({"holiday_name", "Bitte die Ferien nennen, z. B. „Sommerferien“."});
        } else if (std::none_of(cal.holiday_periods().begin(), cal.holiday_periods().end(),
                                [&](const date_range& r) { return r.name.starts_with(name); })) {
            errors.push_back({"holiday_name", fmt::format("Der Ferienkalender kennt keine Ferien „{}“. Bekannt sind "
                                                          "z. B. Herbstferien, Weihnachtsferien, Osterferien, "
                                                          "Sommerferien.", name)});
        }
    }
    const auto t = day_number_of(today);
    const auto s = day_number_of(p.start);
    if (s < t - 366) errors.push_back({"start_date", "Der Beginn darf höchstens ein Jahr zurückliegen."});
    else if (s > t + 731) errors.push_back({"start_date", "Der Beginn darf höchstens zwei Jahre in der Zukunft liegen."});
    return errors;
}

std::vector<maintenance_period> open_periods(const maintenance_plan& p, const school_calendar& cal, local_date today,
                                             std::size_t limit) {
    std::vector<maintenance_period> out;
    const auto t = day_number_of(today);
    if (p.rule == maintenance_rule::every_school_weeks) {
        // Period k is due at the end of school week (k+1)·weeks from the start and opens the day after period
        // k-1 was due, so exactly one period is ahead at any time.
        std::int64_t opens = day_number_of(p.start);
        for (std::int64_t k = 0; opens <= t; ++k) {
            const auto due = cal.last_day_of_school_week(p.start, static_cast<int>((k + 1) * p.weeks));
            out.push_back({k, date_of_day_number(opens), due});
            opens = day_number_of(due) + 1;
        }
    } else {
        const auto start = day_number_of(p.start);
        const auto name = trimmed(p.holiday_name);
        for (const auto& r : cal.holiday_periods()) {
            if (name.empty() || !r.name.starts_with(name)) continue;
            const auto first = day_number_of(r.first);
            if (first <= start) continue;
            const auto due = cal.last_school_day_before(r.first);
            const auto opens = std::max(start, day_number_of(due) - p.weeks * days_per_week);
            if (opens > t) break;
            out.push_back({first, date_of_day_number(opens), due});
        }
    }
    if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
    return out;
}

std::string_view to_string(task_status s) { return s == task_status::open ? "open" : "done"; }

std::optional<task_status> parse_task_status(std::string_view text) {
    if (text == "open") return task_status::open;
    if (text == "done") return task_status::done;
    return std::nullopt;
}

bool may_plan_maintenance(role r) { return is_help_desk(r); }
bool may_work_on_tasks(role r) { return is_staff(r); }

std::vector<maintenance_field_error> check_postponement(local_date due, std::optional<local_date> to,
                                                        std::string_view reason, const school_calendar& cal,
                                                        local_date today) {
    std::vector<maintenance_field_error> errors;
    if (!to) {
        errors.push_back({"due_date", "Bitte das neue Fälligkeitsdatum angeben."});
    } else {
        const auto n = day_number_of(*to);
        if (n <= day_number_of(due)) errors.push_back({"due_date", "Das neue Datum muss nach dem bisherigen liegen."});
        else if (n <= day_number_of(today)) errors.push_back({"due_date", "Das neue Datum muss in der Zukunft liegen."});
        else if (n > day_number_of(today) + 366)
            errors.push_back({"due_date", "Höchstens ein Jahr verschieben; sonst den Plan ändern."});
        else if (!cal.is_school_day(*to))
            errors.push_back({"due_date", "Das neue Datum ist kein Schultag (Wochenende, Feiertag oder Ferien)."});
    }
    if (trimmed(reason).empty()) errors.push_back({"reason", "Bitte einen Grund angeben."});
    else if (auto e = check_text("reason", reason, text_lines::multi, max_task_text, "Der Grund")) errors.push_back(*e);
    return errors;
}

std::optional<maintenance_field_error> check_task_note(std::string_view note) {
    return check_text("note", note, text_lines::multi, max_task_text, "Die Notiz");
}

std::optional<double> maintenance_figures::on_time_percent() const {
    const auto judged = on_time + late + overdue;
    if (judged == 0) return std::nullopt;
    return 100.0 * static_cast<double>(on_time) / static_cast<double>(judged);
}

namespace {

void count_task(maintenance_figures& f, const maintenance_task& t, local_date as_of) {
    ++f.due;
    if (t.postponements > 0) ++f.postponed;
    if (t.state == task_status::done) {
        if (t.done_on && *t.done_on <= t.due) ++f.on_time;
        else ++f.late;
    } else if (t.due < as_of) {
        ++f.overdue;
    } else {
        ++f.open;
    }
}

} // namespace

maintenance_report build_maintenance_report(std::vector<maintenance_task> tasks, local_date as_of,
                                            const std::function<std::string(std::int64_t)>& manager_name,
                                            const std::function<std::string(const std::string&)>& school_name) {
    maintenance_report r;
    r.as_of = as_of;
    std::map<std::int64_t, maintenance_figures> managers;
    std::map<std::string, maintenance_figures> schools;
    for (const auto& t : tasks) {
        count_task(r.total, t, as_of);
        count_task(managers[t.assignee_id], t, as_of);
        count_task(schools[t.school_number], t, as_of);
    }
    for (const auto& [id, f] : managers)
        r.per_manager.push_back({std::to_string(id), id ? manager_name(id) : std::string("(niemand)"), f});
    for (const auto& [number, f] : schools) r.per_school.push_back({number, school_name(number), f});
    const auto by_label = [](const maintenance_group& a, const maintenance_group& b) {
        return std::tie(a.label, a.key) < std::tie(b.label, b.key);
    };
    std::sort(r.per_manager.begin(), r.per_manager.end(), by_label);
    std::sort(r.per_school.begin(), r.per_school.end(), by_label);
    std::sort(tasks.begin(), tasks.end(), [](const maintenance_task& a, const maintenance_task& b) {
        return std::tie(a.due, a.school_number, a.id) < std::tie(b.due, b.school_number, b.id);
    });
    r.tasks = std::move(tasks);
    return r;
}

} // namespace campusdesk
