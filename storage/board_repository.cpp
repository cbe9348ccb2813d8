#include "storage/board_repository.hpp"

#include "storage/read_snapshot.hpp"
#include "storage/sla_filters.hpp"
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <unordered_map>

namespace campusdesk {

// One pass over the partial index of open tickets (schema 4), never the table. Each open ticket's state at `now` is
// the queue's rule (storage/sla_filters.hpp: stored_sla_state, the filters' SQL in C++; evaluated in SQL it was
// ~40 VM instructions per ticket and half of a board request), the sums per assignee and per school are made here.
// Two GROUP BY queries read and sorted the open tickets twice for every board, each prepared anew. Named, because
// without statistics SQLite would rather walk a full index and visit the table for all tickets.
// In the index's order (due time, undated last, then id), so the same pass picks the board's sections.
const std::string open_loads_query =
    "SELECT t.assignee_id, t.school_number, t.created_at, t.status, t.category, t.fr_verdict, t.res_verdict, "
    "t.due_at, t.fr_risk_at, t.res_risk_at, t.id, t.requester_id, t.priority, t.updated_at FROM tickets t "
    "INDEXED BY tickets_open_by_due_key "
    "WHERE t.is_open = 1 ORDER BY COALESCE(t.due_at, 9223372036854775807), t.id";

open_loads load_open_loads(SQLite::Database& db, const business_calendar& calendar, time_ms now,
                           std::size_t section_limit) {
    // Every board reads each open ticket once (~2,000 in a city): the rows through SQLite's C API (no shared
    // pointer copied per value), the sums in a vector per manager (a dozen) and a hash per school (~150) whose
    // key is looked up without a copy; sorted once at the end as GROUP BY gave them.
    reused_raw_statement s(db, open_loads_query);
    const auto at = sla_filter_instants_at(calendar, now);
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    std::unordered_map<std::string, school_load, text_hash, std::equal_to<>> schools;
    open_loads loads;
    loads.at = at;
    loads.section_limit = section_limit;
    manager_load* manager = nullptr;
    school_load* school = nullptr;
    while (s->executeStep()) {
        const std::int64_t assignee = s->getColumn(0).getInt64();
        const std::string_view school_number = s->getColumn(1).getText();
        const time_ms created = s->getColumn(2).getInt64();
        const auto state_text = s->getColumn(3).getText();
        const auto category = s->getColumn(4).getText();
        const bool fresh = state_text == to_string(status::new_), network = category == "network";
        const stored_sla_marks marks{s->getColumn(5).getText() == "breached", s->getColumn(6).getText() == "breached",
                                     s->getColumn(7).getOptionalInt64(), s->getColumn(8).getOptionalInt64(),
                                     s->getColumn(9).getOptionalInt64()};
        const auto state = stored_sla_state(marks, at);
        const bool at_risk = state == sla_state::at_risk, breached = state == sla_state::breached;
        if (!breached && marks.due_at) loads.next_breach_due = std::min(loads.next_breach_due, *marks.due_at);
        if (state == sla_state::ok)
            for (const auto& risk_at : {marks.fr_risk_at, marks.res_risk_at})
                if (risk_at) loads.next_risk_at = std::min(loads.next_risk_at, *risk_at);
        const std::int64_t id = s->getColumn(10).getInt64();
        loads.tickets.push_back({id, marks.due_at.value_or(std::numeric_limits<time_ms>::max()), assignee,
                                 s->getColumn(11).getInt64(), created, s->getColumn(13).getInt64(),
                                 std::string(school_number),
                                 parse_status(state_text).value_or(status::open),
                                 parse_priority(s->getColumn(12).getText()).value_or(priority::normal),
                                 std::string(category), marks});
        for (auto [in, ids] : {std::pair{fresh, &loads.fresh}, {breached, &loads.breached}, {at_risk, &loads.at_risk}})
            if (in && ids->size() < section_limit) ids->push_back(id);
        if (!manager || manager->manager_id != assignee) {
            auto it = std::find_if(loads.managers.begin(), loads.managers.end(),
                                   [&](const manager_load& m) { return m.manager_id == assignee; });
            if (it == loads.managers.end()) it = loads.managers.insert(it, manager_load{assignee, 0, 0, 0, std::nullopt, 0});
            manager = &*it;
        }
        auto& m = *manager;
        ++m.open;
        m.at_risk += at_risk;
        m.breached += breached;
        m.fresh += fresh;
        m.oldest_open = m.oldest_open ? std::min(*m.oldest_open, created) : created;
        if (!school || school->school_number != school_number) {
            auto it = schools.find(school_number);
            if (it == schools.end())
                it = schools.emplace(std::string(school_number), school_load{std::string(school_number)}).first;
            school = &it->second;
        }
        ++school->open;
        school->network_open += network;
        school->breached += breached;
        school->newest = std::max(school->newest, created);
    }
    for (auto [order, key] : {std::pair{&loads.by_created, &open_ticket_entry::created_at},
                              std::pair{&loads.by_updated, &open_ticket_entry::updated_at}}) {
        order->resize(loads.tickets.size());
        std::iota(order->begin(), order->end(), 0u);
        std::sort(order->begin(), order->end(), [&, key = key](std::uint32_t x, std::uint32_t y) {
            const auto& a = loads.tickets[x];
            const auto& b = loads.tickets[y];
            return std::pair{a.*key, a.id} > std::pair{b.*key, b.id};
        });
    }
    std::sort(loads.managers.begin(), loads.managers.end(),
              [](const manager_load& x, const manager_load& y) { return x.manager_id < y.manager_id; });
    loads.schools.reserve(schools.size());
    for (auto& [number, school] : schools) loads.schools.push_back(std::move(school));
    std::sort(loads.schools.begin(), loads.schools.end(),
              [](const school_load& x, const school_load& y) { return x.school_number < y.school_number; });
    return loads;
}

bool open_loads::same_at(const sla_filter_instants& later) const {
    // Breached stays breached only forwards in time; one not breached is breached once a due time lies before
    // breached_if_due_before; one that is ok is at risk once its risk time has come (storage/sla_filters.cpp).
    return later.now >= at.now && later.breached_if_due_before >= at.breached_if_due_before &&
           later.breached_if_due_before <= next_breach_due && later.now < next_risk_at;
}

std::int64_t open_tickets_version(SQLite::Database& db) {
    reused_statement s(db, "SELECT value FROM change_counters WHERE name = 'open_tickets'");
    return s->executeStep() ? s->getColumn(0).getInt64() : -1;
}

std::shared_ptr<const open_loads> open_loads_memo::get(SQLite::Database& db, const business_calendar& calendar,
                                                       time_ms now, std::size_t section_limit) {
    const auto at = sla_filter_instants_at(calendar, now);
    // The counter and the pass in one read transaction, so the loads kept are those of the version kept.
    read_snapshot snapshot(db);
    const auto version = open_tickets_version(db);
    {
        std::lock_guard lock(mutex_);
        if (last_ && version_ == version && last_->section_limit >= section_limit && last_->same_at(at)) return last_;
        last_pass_ = std::chrono::steady_clock::now();
    }
    return pass(db, calendar, now, section_limit, version);
}

std::shared_ptr<const open_loads> open_loads_memo::current(SQLite::Database& db, const business_calendar& calendar,
                                                           time_ms now) {
    const auto version = open_tickets_version(db);
    {
        std::lock_guard lock(mutex_);
        if (last_ && version_ == version) return last_;
        const auto started = std::chrono::steady_clock::now();
        if (last_ && started - last_pass_ < min_list_pass_interval) return nullptr;
        last_pass_ = started;
    }
    return pass(db, calendar, now, board_sections, version);
}

std::shared_ptr<const open_loads> open_loads_memo::pass(SQLite::Database& db, const business_calendar& calendar,
                                                        time_ms now, std::size_t section_limit, std::int64_t version) {
    auto loads = std::make_shared<const open_loads>(load_open_loads(db, calendar, now, section_limit));
    passes_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    // Of two passes made side by side, the one of the later version is kept (an equal one: the later instant).
    if (!last_ || version > version_ || (version == version_ && loads->at.now >= last_->at.now)) {
        last_ = loads;
        version_ = version;
    }
    return loads;
}

std::string open_by_school_query(std::size_t schools) {
    std::string marks;
    for (std::size_t i = 0; i < schools; ++i) marks += i ? ",?" : "?";
    return fmt::format("SELECT school_number, count(*) FROM tickets INDEXED BY tickets_open_by_school "
                       "WHERE is_open = 1{} GROUP BY school_number",
                       schools ? " AND school_number IN (" + marks + ")" : "");
}

std::map<std::string, int> count_open_by_school(SQLite::Database& db, const std::vector<std::string>& schools) {
    reused_statement s(db, open_by_school_query(schools.size()));
    for (std::size_t i = 0; i < schools.size(); ++i) s->bind(static_cast<int>(i) + 1, schools[i]);
    std::map<std::string, int> counts;
    while (s->executeStep()) counts[s->getColumn(0).getString()] = s->getColumn(1).getInt();
    return counts;
}

std::map<std::string, int> count_open_by_school(const open_loads& open, const std::vector<std::string>& schools) {
    std::map<std::string, int> counts;
    for (const auto& school : open.schools)
        if (schools.empty() || std::find(schools.begin(), schools.end(), school.school_number) != schools.end())
            counts.emplace(school.school_number, school.open);
    return counts;
}

std::vector<open_ticket_brief> load_open_since(SQLite::Database& db, time_ms since) {
    SQLite::Statement s(db, "SELECT t.number, t.school_number, t.category, t.created_at FROM tickets t "
                            "WHERE t.created_at >= ? AND t.is_open = 1");
    s.bind(1, since);
    std::vector<open_ticket_brief> result;
    while (s.executeStep())
        result.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                          s.getColumn(3).getInt64()});
    return result;
}

std::vector<absence_record> load_current_absences(SQLite::Database& db, time_ms now) {
    SQLite::Statement s(db, "SELECT id, manager_id, starts_at, ends_at, substitute_id FROM absences "
                            "WHERE ends_at > ? ORDER BY starts_at");
    s.bind(1, now);
    std::vector<absence_record> result;
    while (s.executeStep())
        result.push_back({s.getColumn(0).getInt64(),
                          {s.getColumn(1).getInt64(), s.getColumn(2).getInt64(), s.getColumn(3).getInt64(),
                           s.getColumn(4).getInt64()}});
    return result;
}

std::int64_t set_absence(SQLite::Database& db, const absence& a, time_ms now) {
    end_absence(db, a.manager_id, std::max(now, a.from));
    SQLite::Statement s(db, "INSERT INTO absences (manager_id, starts_at, ends_at, substitute_id) VALUES (?,?,?,?)");
    s.bind(1, a.manager_id);
    s.bind(2, a.from);
    s.bind(3, a.to);
    s.bind(4, a.substitute_id);
    s.exec();
    return db.getLastInsertRowid();
}

bool end_absence(SQLite::Database& db, std::int64_t manager_id, time_ms now) {
    // Past absences stay as they were (the audit trail of who covered whom); a running one ends now.
    SQLite::Statement planned(db, "DELETE FROM absences WHERE manager_id = ? AND starts_at >= ?");
    planned.bind(1, manager_id);
    planned.bind(2, now);
    const int dropped = planned.exec();
    SQLite::Statement running(db, "UPDATE absences SET ends_at = ? WHERE manager_id = ? AND starts_at < ? AND ends_at > ?");
    running.bind(1, now);
    running.bind(2, manager_id);
    running.bind(3, now);
    running.bind(4, now);
    return running.exec() + dropped > 0;
}

} // namespace campusdesk
