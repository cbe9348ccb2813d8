// Filters by SLA state in SQL: the one place in storage that re-expresses a rule of core, state_of(sla_result, now)
// of core/sla.hpp, over the stored SLA projection of `tickets t`. The queue's and the API's breached / at-risk
// filters (prepare_list_query) and the board's counts (board_repository) all use these, so they cannot disagree;
// tests/storage/rules_differential.tests.cpp checks on random tickets that they select exactly the tickets whose
// state core computes from their events as breached / at risk.
#pragma once

#include "core/sla.hpp"

#include <optional>
#include <span>
#include <string>

namespace campusdesk {

class business_calendar;

// The instants a filter compares stored columns with, computed once per query (never per row).
struct sla_filter_instants {
    time_ms now = 0;
    time_ms breached_if_due_before = 0; // core: breached_if_due_before(calendar, now)
};
sla_filter_instants sla_filter_instants_at(const business_calendar& calendar, time_ms now);

enum class sla_instant { now, breached_if_due_before };

// A predicate with positional parameters: the i-th `?` of `sql` stands for `params[i]`.
struct sla_filter {
    std::string sql;
    std::span<const sla_instant> params;

    // Calls bind(value) for each parameter, in order.
    template <class Bind>
    void bind_each(const sla_filter_instants& at, Bind&& bind) const {
        for (const sla_instant p : params) bind(p == sla_instant::now ? at.now : at.breached_if_due_before);
    }
};

// state_of(ticket, now) == sla_state::breached.
const sla_filter& breached_filter();
// state_of(ticket, now) == sla_state::at_risk (never a breached ticket).
const sla_filter& at_risk_filter();

// The same rule over the stored columns in C++, for a pass that reads every open ticket (the board's loads): the
// filters' SQL evaluated per row took ~40 of the ~55 VM instructions of each ticket read there, about half of a
// board request (tests/bench/profiling.md). The differential test checks both against core.
struct stored_sla_marks {
    bool fr_breached = false;                // t.fr_verdict = 'breached'
    bool res_breached = false;               // t.res_verdict = 'breached'
    std::optional<time_ms> due_at;           // t.due_at
    std::optional<time_ms> fr_risk_at;       // t.fr_risk_at
    std::optional<time_ms> res_risk_at;      // t.res_risk_at
};
sla_state stored_sla_state(const stored_sla_marks& marks, const sla_filter_instants& at);

} // namespace campusdesk
