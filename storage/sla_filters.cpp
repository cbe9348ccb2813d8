#include "storage/sla_filters.hpp"

#include <array>

namespace campusdesk {

// Why these mirror state_of (core/sla.hpp): the stored columns are an evaluation at sla_at <= now, and with no
// event since, carry_forward gives the figures at `now` from it. Per clock, then: a stored verdict 'breached'
// stays breached; a running clock (the only kind with a due and a risk time) is breached at `now` iff its due time
// lies before breached_if_due_before(now); and it is at risk iff it is not breached and its risk time has come.
// `t.due_at` is the earliest due time of the running clocks (earliest_due), so "a running clock is due before x"
// is `t.due_at < x`. A ticket is breached iff a clock is, at risk iff a clock is at risk and none is breached.
// Where a risk time is set, so is `t.due_at`: the NOT below never meets a NULL that would hide a ticket.

namespace {

constexpr std::array breached_params{sla_instant::breached_if_due_before};
constexpr std::array at_risk_params{sla_instant::now, sla_instant::now, sla_instant::breached_if_due_before};

// A literal, not a std::string: board_repository builds its constant queries from these during static
// initialisation.
constexpr const char* breached_sql = "(t.fr_verdict = 'breached' OR t.res_verdict = 'breached' OR t.due_at < ?)";

} // namespace

sla_filter_instants sla_filter_instants_at(const business_calendar& calendar, time_ms now) {
    return {now, breached_if_due_before(calendar, now)};
}

const sla_filter& breached_filter() {
    static const sla_filter f{breached_sql, breached_params};
    return f;
}

const sla_filter& at_risk_filter() {
    static const sla_filter f{std::string("((t.fr_risk_at <= ? OR t.res_risk_at <= ?) AND NOT ") + breached_sql + ")",
                              at_risk_params};
    return f;
}

sla_state stored_sla_state(const stored_sla_marks& m, const sla_filter_instants& at) {
    // breached_sql and at_risk_filter's SQL, where a comparison with NULL is not true.
    if (m.fr_breached || m.res_breached || (m.due_at && *m.due_at < at.breached_if_due_before))
        return sla_state::breached;
    if ((m.fr_risk_at && *m.fr_risk_at <= at.now) || (m.res_risk_at && *m.res_risk_at <= at.now))
        return sla_state::at_risk;
    return sla_state::ok;
}

} // namespace campusdesk
