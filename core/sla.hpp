// SLA engine: first-response and resolution clocks of one ticket, a pure function of its history (SLA.md §3).
#pragma once

#include "core/business_calendar.hpp"
#include "core/sla_policy.hpp"
#include "core/ticket.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace campusdesk {

enum class sla_verdict { met, breached, running, paused };

std::string_view to_string(sla_verdict v);
std::optional<sla_verdict> parse_sla_verdict(std::string_view text);
inline std::string_view format_as(sla_verdict v) { return to_string(v); }

struct sla_clock {
    int target_minutes = 0;       // from the current priority; for an ended clock the priority when it ended
    std::int64_t used_ms = 0;     // exact business time used up to "now"
    std::optional<time_ms> due_at;     // running clocks only: when used reaches the target (past once breached)
    std::optional<time_ms> at_risk_at; // running clocks only: when used reaches the warning threshold
    sla_verdict verdict = sla_verdict::running;
    std::optional<time_ms> breached_at; // set iff used > target: the instant used reached the target
    std::optional<time_ms> ended_at;    // set iff the clock has ended

    std::int64_t used_minutes() const { return used_ms / 60000; }
    std::int64_t target_ms() const { return std::int64_t{target_minutes} * 60000; }
    // The clock runs (neither paused nor ended); a running clock may be breached.
    bool running() const { return due_at.has_value(); }
    // SLA.md §3.8 at `now`: running, past the warning threshold, not breached. Exact for the instant the clock
    // was evaluated at; for a later instant it assumes no event and no breach in between.
    bool at_risk(time_ms now) const {
        return verdict == sla_verdict::running && at_risk_at.has_value() && *at_risk_at <= now;
    }
    bool operator==(const sla_clock&) const = default;
};

// How urgent a clock or a ticket is at an instant: the one rule behind the badges "Frist überschritten" and "Frist
// bald erreicht", the queue's and the API's breached / at-risk filters and the board's counts.
enum class sla_state { ok, at_risk, breached };

std::string_view to_string(sla_state s);

// A clock at the instant it was evaluated at: breached by its verdict (§3.7, ended or running), at risk per §3.8
// (running, past the warning threshold, not breached), ok otherwise (running below the threshold, paused, met).
sla_state state_of(const sla_clock& c, time_ms now);

struct sla_result;
// A ticket is in one state at a time: breached when either clock is, else at risk when either clock is, else ok.
// (A ticket whose first response is overdue is "Frist überschritten", not also "Frist bald erreicht" for its
// resolution.) storage/sla_filters.hpp mirrors this rule in SQL over the stored projection.
sla_state state_of(const sla_result& r, time_ms now);

struct sla_result {
    sla_clock first_response;
    sla_clock resolution;
    std::int64_t paused_ms = 0;  // business time spent in pause statuses up to "now"
    bool at_risk = false;        // state_of(*this, now) == sla_state::at_risk: a clock at risk and none breached
    int reopen_count = 0;
    bool escalated = false;
    std::optional<time_ms> first_response_at; // = first_response.ended_at
    std::optional<time_ms> resolved_at;       // = resolution.ended_at
    status current_status = status::new_;
    priority current_priority = priority::normal;

    std::int64_t paused_minutes() const { return paused_ms / 60000; }
    // Either clock breached (§3.7); the ticket's state is then sla_state::breached.
    bool breached() const {
        return first_response.verdict == sla_verdict::breached || resolution.verdict == sla_verdict::breached;
    }
    bool operator==(const sla_result&) const = default;
};

// The earliest due time of the ticket's running clocks (§3.6; in the past once a running clock is breached), or
// nothing when no clock runs: what lists show as "fällig" and sort by (the projection's `due_at` column).
std::optional<time_ms> earliest_due(const sla_result& r);

// Which clock that earliest due time belongs to, so that a list can say "Erste Reaktion fällig" or "Lösung
// fällig" rather than a bare "fällig". On a tie the first response, which people expect first; nothing when no
// clock runs.
enum class sla_clock_kind { first_response, resolution };
std::optional<sla_clock_kind> earliest_due_clock(const sla_result& r);
inline const sla_clock& clock_of(const sla_result& r, sla_clock_kind k) {
    return k == sla_clock_kind::first_response ? r.first_response : r.resolution;
}

// The business time a running clock has left at `now` (target minus used), while it is neither breached nor
// due: nothing for other clocks, or once its due time has come (used has reached the target).
std::optional<std::int64_t> time_left_ms(const sla_clock& c, time_ms now);

// The instant a running clock's due time must lie before for the clock to be breached at `now`: the earliest
// instant with the business position of `now` (`now` itself during working hours; outside them, the end of the
// last working interval). A clock due at 16:30 has used exactly its target all evening and is breached only once
// business time runs on the next morning (§3.7: used > target). SQL filters compare stored due times with it
// (storage/sla_filters.hpp), so they agree with evaluate_sla without knowing the calendar.
time_ms breached_if_due_before(const business_calendar& calendar, time_ms now);

// Evaluates SLA.md §3 at `now`. Events may come in any order; they are ordered by (at, seq) and those after
// `now` are left out. The clocks start at the first `created` event; anything ordered before it is ignored.
// Readings of SLA.md that the text leaves open:
//  - the first response ends at a staff `public_reply` or at a staff event that sets `resolved`/`closed`,
//    whether recorded as `resolved`/`closed` or as `status_changed`; a requester's withdrawal does not end it;
//  - an ended resolution clock ended at the latest event that set `resolved` or `closed` (resolved, then
//    closed: the closing), and takes its target from the priority in force right after that event;
//  - breached_at is the first instant at which used time equals the target under the current target, so
//    raising the priority can put it before the priority change.
// Throws std::invalid_argument when no `created` event (with a priority) is at or before `now`.
// Allocation-free for histories of up to 64 events; safe to call from many threads at once.
sla_result evaluate_sla(std::span<const ticket_event> events, const sla_policy& policy,
                        const business_calendar& calendar, time_ms now);

// The evaluation at `now` of a history that was evaluated at `evaluated_at`, without the history: valid when no
// event lies in (evaluated_at, now] and now >= evaluated_at. Running clocks gain the business time in between
// (and become breached at their due time), a paused resolution clock adds it to the paused time, ended clocks
// stand still. Equal to evaluate_sla(history, policy, calendar, now) (a property test checks every field), so
// lists can show SLA figures from the stored projection instead of reading every ticket's events.
sla_result carry_forward(sla_result evaluated, time_ms evaluated_at, const business_calendar& calendar, time_ms now);

} // namespace campusdesk

// fmt 9 (Debian 12) honours format_as only when it returns an integer, so the name gets a formatter too.
template <>
struct fmt::formatter<campusdesk::sla_verdict> : fmt::formatter<std::string_view> {
    template <class FormatContext>
    auto format(campusdesk::sla_verdict v, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(campusdesk::to_string(v), ctx);
    }
};
