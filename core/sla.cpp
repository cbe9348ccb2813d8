#include "core/sla.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace campusdesk {
namespace {

constexpr std::array<std::pair<sla_verdict, std::string_view>, 4> verdict_names{{
    {sla_verdict::met, "met"}, {sla_verdict::breached, "breached"}, {sla_verdict::running, "running"},
    {sla_verdict::paused, "paused"}}};

// A fixed inline buffer that spills to the heap only for unusually long histories, keeping the common case
// free of allocations (the engine runs for every ticket of every queue and export).
template <class T, std::size_t N>
class small_buffer {
public:
    explicit small_buffer(std::size_t capacity) : on_heap_(capacity > N) {
        if (on_heap_) heap_.reserve(capacity);
    }
    void push_back(const T& v) {
        if (on_heap_) heap_.push_back(v);
        else inline_[size_] = v;
        ++size_;
    }
    T* data() { return on_heap_ ? heap_.data() : inline_.data(); }
    T* begin() { return data(); }
    T* end() { return data() + size_; }
    std::size_t size() const { return size_; }
    T& operator[](std::size_t i) { return data()[i]; }

private:
    std::array<T, N> inline_; // left uninitialised on purpose: only [0, size_) is ever read
    std::vector<T> heap_;
    bool on_heap_;
    std::size_t size_ = 0;
};

// A stretch during which the resolution clock ran without interruption.
struct run {
    time_ms begin_at;
    std::int64_t used_before; // resolution time used before this run
    std::int64_t length;      // business time of the run up to its end or "now"
};

bool is_terminal(status s) { return s == status::resolved || s == status::closed; }

// Staff events the requester can see end the first response (§3.2). A status change to resolved or closed
// counts like the `resolved`/`closed` events, whichever way the workflow records it.
bool ends_first_response(const ticket_event& e, std::optional<status> sets) {
    if (!e.by_staff) return false;
    return e.kind == event_kind::public_reply || (sets && is_terminal(*sets));
}

// The instant cumulative used time reaches `target` over `runs`; the last run is open-ended when `open_end`.
std::optional<time_ms> crossing(std::span<const run> runs, bool open_end, std::int64_t target,
                                const business_calendar& calendar) {
    for (std::size_t k = 0; k < runs.size(); ++k) {
        const run& r = runs[k];
        const bool unbounded = open_end && k + 1 == runs.size();
        if (!unbounded && r.used_before + r.length < target) continue;
        const std::int64_t remaining = target - r.used_before;
        return remaining <= 0 ? r.begin_at : calendar.add_business_ms(r.begin_at, remaining);
    }
    return std::nullopt;
}

// The smallest whole number of ms that is at least threshold * target; the epsilon absorbs binary fractions
// (0.8 * 3,600,000 is 2,880,000.0000000005 in doubles).
std::int64_t threshold_ms(double threshold, std::int64_t target) {
    return static_cast<std::int64_t>(std::ceil(threshold * static_cast<double>(target) - 1e-6));
}

void finish_clock(sla_clock& clock, std::span<const run> runs, bool running, bool ended, bool paused,
                  double threshold, const business_calendar& calendar) {
    const std::int64_t target = clock.target_ms();
    const bool over = clock.used_ms > target;
    if (over) clock.breached_at = crossing(runs, false, target, calendar);
    if (running) {
        clock.due_at = crossing(runs, true, target, calendar);
        clock.at_risk_at = crossing(runs, true, threshold_ms(threshold, target), calendar);
    }
    if (over) clock.verdict = sla_verdict::breached;
    else if (ended) clock.verdict = sla_verdict::met;
    else if (paused) clock.verdict = sla_verdict::paused;
    else clock.verdict = sla_verdict::running;
}

} // namespace

std::string_view to_string(sla_verdict v) {
    for (const auto& [value, name] : verdict_names)
        if (value == v) return name;
    return "?";
}

std::optional<sla_verdict> parse_sla_verdict(std::string_view text) {
    for (const auto& [value, name] : verdict_names)
        if (name == text) return value;
    return std::nullopt;
}

sla_result evaluate_sla(std::span<const ticket_event> events, const sla_policy& policy,
                        const business_calendar& calendar, time_ms now) {
    // Order by (at, seq) without copying events: pointers into a stack buffer, sorted only when needed.
    small_buffer<const ticket_event*, 64> ordered(events.size());
    bool sorted = true;
    for (const ticket_event& e : events) {
        if (e.at > now) continue;
        if (ordered.size() > 0) {
            const ticket_event& prev = *ordered[ordered.size() - 1];
            if (e.at < prev.at || (e.at == prev.at && e.seq < prev.seq)) sorted = false;
        }
        ordered.push_back(&e);
    }
    if (!sorted)
        std::stable_sort(ordered.begin(), ordered.end(), [](const ticket_event* a, const ticket_event* b) {
            return a->at != b->at ? a->at < b->at : a->seq < b->seq;
        });

    std::size_t first = 0;
    while (first < ordered.size() && ordered[first]->kind != event_kind::created) ++first;
    if (first == ordered.size()) throw std::invalid_argument("evaluate_sla: no created event at or before now");
    const ticket_event& created = *ordered[first];
    if (!created.to_priority) throw std::invalid_argument("evaluate_sla: created event without a priority");

    sla_result result;
    status current = status::new_;
    priority prio = *created.to_priority;
    const time_ms start = created.at;
    const std::int64_t start_pos = calendar.business_position(start);

    std::optional<time_ms> fr_end;
    std::int64_t fr_end_pos = 0;
    priority fr_priority = prio;
    std::optional<time_ms> res_end; // at of the latest event setting resolved/closed
    priority res_priority = prio;

    small_buffer<run, 64> runs(ordered.size());
    std::int64_t used = 0;
    time_ms seg_at = start;
    std::int64_t seg_pos = start_pos;
    // Charges the business time of [seg_at, at) to the status in force during it.
    const auto close_segment = [&](time_ms at, std::int64_t at_pos) {
        const std::int64_t length = at_pos - seg_pos;
        if (is_terminal(current)) {
            // the resolution clock stands still
        } else if (policy.pauses(current)) {
            result.paused_ms += length;
        } else {
            runs[runs.size() - 1].length += length;
            used += length;
        }
        seg_at = at;
        seg_pos = at_pos;
    };
    const auto running = [&](status s) { return !is_terminal(s) && !policy.pauses(s); };
    if (running(current)) runs.push_back({start, 0, 0});

    for (std::size_t i = first + 1; i < ordered.size(); ++i) {
        const ticket_event& e = *ordered[i];
        if (e.at != seg_at) close_segment(e.at, calendar.business_position(e.at));
        const std::optional<status> sets = status_set_by(e);
        if (e.kind == event_kind::priority_changed && e.to_priority) prio = *e.to_priority;
        if (e.kind == event_kind::reopened) ++result.reopen_count;
        if (e.kind == event_kind::escalated) result.escalated = true;
        if (sets) {
            const bool was_running = running(current);
            current = *sets;
            if (!was_running && running(current)) runs.push_back({e.at, used, 0});
            if (is_terminal(current)) {
                res_end = e.at;
                res_priority = prio;
            }
        }
        if (!fr_end && ends_first_response(e, sets)) {
            fr_end = e.at;
            fr_end_pos = seg_pos;
            fr_priority = prio;
        }
    }
    close_segment(now, now == seg_at ? seg_pos : calendar.business_position(now));

    const double threshold = policy.warning_threshold;
    // First response: one run from created, ended by the first visible staff event; it never pauses.
    sla_clock& fr = result.first_response;
    fr.ended_at = fr_end;
    fr.target_minutes = policy.for_priority(fr_end ? fr_priority : prio).first_response_minutes;
    fr.used_ms = (fr_end ? fr_end_pos : seg_pos) - start_pos;
    const run fr_run{start, 0, fr.used_ms};
    finish_clock(fr, std::span(&fr_run, 1), !fr_end, fr_end.has_value(), false, threshold, calendar);

    // Resolution: ended while the current status is resolved/closed, at the latest event that set one.
    sla_clock& res = result.resolution;
    const bool res_ended = is_terminal(current);
    if (res_ended) res.ended_at = res_end;
    res.target_minutes = policy.for_priority(res_ended ? res_priority : prio).resolution_minutes;
    res.used_ms = used;
    finish_clock(res, std::span<const run>(runs.data(), runs.size()), running(current), res_ended,
                 policy.pauses(current) && !res_ended, threshold, calendar);

    result.at_risk = state_of(result, now) == sla_state::at_risk;
    result.first_response_at = fr.ended_at;
    result.resolved_at = res.ended_at;
    result.current_status = current;
    result.current_priority = prio;
    return result;
}

sla_result carry_forward(sla_result r, time_ms evaluated_at, const business_calendar& calendar, time_ms now) {
    if (now <= evaluated_at) return r;
    const std::int64_t elapsed = calendar.business_position(now) - calendar.business_position(evaluated_at);
    for (sla_clock* c : {&r.first_response, &r.resolution}) {
        if (!c->running()) continue;
        c->used_ms += elapsed;
        // A running clock's due time is where its used time reaches the target, so it is also the breach time.
        if (c->used_ms > c->target_ms()) {
            c->verdict = sla_verdict::breached;
            c->breached_at = c->due_at;
        }
    }
    if (!r.resolution.running() && !r.resolution.ended_at) r.paused_ms += elapsed;
    r.at_risk = state_of(r, now) == sla_state::at_risk;
    return r;
}

std::string_view to_string(sla_state s) {
    switch (s) {
    case sla_state::ok: return "ok";
    case sla_state::at_risk: return "at_risk";
    case sla_state::breached: return "breached";
    }
    return "?";
}

sla_state state_of(const sla_clock& c, time_ms now) {
    if (c.verdict == sla_verdict::breached) return sla_state::breached;
    if (c.at_risk(now)) return sla_state::at_risk;
    return sla_state::ok;
}

sla_state state_of(const sla_result& r, time_ms now) {
    return std::max(state_of(r.first_response, now), state_of(r.resolution, now));
}

std::optional<time_ms> earliest_due(const sla_result& r) {
    std::optional<time_ms> due;
    for (const sla_clock* c : {&r.first_response, &r.resolution})
        if (c->due_at) due = due ? std::min(*due, *c->due_at) : *c->due_at;
    return due;
}

std::optional<sla_clock_kind> earliest_due_clock(const sla_result& r) {
    const auto& first = r.first_response.due_at;
    const auto& resolution = r.resolution.due_at;
    if (first && (!resolution || *first <= *resolution)) return sla_clock_kind::first_response;
    if (resolution) return sla_clock_kind::resolution;
    return std::nullopt;
}

std::optional<std::int64_t> time_left_ms(const sla_clock& c, time_ms now) {
    if (c.verdict != sla_verdict::running || !c.due_at || *c.due_at <= now) return std::nullopt;
    return c.target_ms() - c.used_ms;
}

time_ms breached_if_due_before(const business_calendar& calendar, time_ms now) {
    const std::int64_t position = calendar.business_position(now);
    // Back from `now` to an instant with less business time before it (one millisecond during working hours;
    // outside them hours to weeks, found by doubling), then forward to the earliest instant at `position`.
    time_ms from = now - 1;
    for (std::int64_t step = 3'600'000; calendar.business_position(from) == position; step *= 2) from = now - step;
    return calendar.add_business_ms(from, position - calendar.business_position(from));
}

} // namespace campusdesk
