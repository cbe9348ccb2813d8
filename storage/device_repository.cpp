#include "storage/device_repository.hpp"

#include "core/local_time.hpp"
#include "core/text.hpp"
#include "storage/settings_repository.hpp"
#include "storage/statement_cache.hpp"
#include "storage/user_repository.hpp"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

namespace campusdesk {
namespace {

constexpr const char* device_columns =
    "d.id, d.school_number, d.kind, d.model, d.serial, d.inventory_number, d.room, d.owner_group, d.purchase_date, "
    "d.warranty_end, d.status";

device read_device(SQLite::Statement& s, int first = 0) {
    device d;
    d.id = s.getColumn(first).getInt64();
    d.school_number = s.getColumn(first + 1).getString();
    d.kind = parse_device_kind(s.getColumn(first + 2).getString()).value_or(device_kind::other);
    d.model = s.getColumn(first + 3).getString();
    d.serial = s.getColumn(first + 4).getString();
    d.inventory_number = s.getColumn(first + 5).getString();
    d.room = s.getColumn(first + 6).getString();
    d.owner = parse_owner_group(s.getColumn(first + 7).getString()).value_or(owner_group::pupils);
    d.purchase_date = parse_iso_date(s.getColumn(first + 8).getString());
    d.warranty_end = parse_iso_date(s.getColumn(first + 9).getString());
    d.state = parse_device_status(s.getColumn(first + 10).getString()).value_or(device_status::in_use);
    return d;
}

std::string date_text(const std::optional<local_date>& d) { return d ? format_iso_date(*d) : std::string(); }

// Binds the inventory's fields from `first` on: school, kind, model, serial, inventory number, room, owner group,
// purchase date, warranty end, status.
void bind_fields(SQLite::Statement& s, int first, const device& d) {
    s.bind(first, d.school_number);
    s.bind(first + 1, std::string(to_string(d.kind)));
    s.bind(first + 2, d.model);
    s.bind(first + 3, d.serial);
    s.bind(first + 4, d.inventory_number);
    s.bind(first + 5, d.room);
    s.bind(first + 6, std::string(to_string(d.owner)));
    s.bind(first + 7, date_text(d.purchase_date));
    s.bind(first + 8, date_text(d.warranty_end));
    s.bind(first + 9, std::string(to_string(d.state)));
}

// " AND d.school_number IN (?,?,…)" for `count` schools, or nothing.
std::string school_filter(std::size_t count, const char* column = "d.school_number") {
    if (count == 0) return {};
    std::string marks;
    for (std::size_t i = 0; i < count; ++i) marks += i ? ",?" : "?";
    return fmt::format(" AND {} IN ({})", column, marks);
}

} // namespace

std::vector<device> load_all_devices(SQLite::Database& db) {
    SQLite::Statement s(db, fmt::format("SELECT {} FROM devices d", device_columns));
    std::vector<device> all;
    while (s.executeStep()) all.push_back(read_device(s));
    return all;
}

device_import_counts apply_device_import(SQLite::Database& db, const device_import_plan& plan, time_ms now) {
    SQLite::Statement insert(db, "INSERT INTO devices (school_number, kind, model, serial, inventory_number, room, "
                                 "owner_group, purchase_date, warranty_end, status, imported_at, updated_at) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& d : plan.added) {
        bind_fields(insert, 1, d);
        insert.bind(11, now);
        insert.bind(12, now);
        insert.exec();
        insert.reset();
    }
    SQLite::Statement update(db, "UPDATE devices SET school_number = ?, kind = ?, model = ?, serial = ?, "
                                 "inventory_number = ?, room = ?, owner_group = ?, purchase_date = ?, "
                                 "warranty_end = ?, status = ?, updated_at = ? WHERE id = ?");
    auto write = [&](const device& d) {
        bind_fields(update, 1, d);
        update.bind(11, now);
        update.bind(12, d.id);
        update.exec();
        update.reset();
    };
    for (const auto& d : plan.updated) write(d);
    for (const auto& d : plan.retired) write(d);
    return {plan.added.size(), plan.updated.size(), plan.retired.size(), plan.unchanged};
}

device_import_outcome import_devices(SQLite::Database& db, std::vector<device_row> rows, time_ms now, bool dry_run,
                                     std::int64_t actor_id, std::string_view format_name) {
    const auto existing = load_all_devices(db);
    auto plan = plan_device_import(std::move(rows), existing);
    device_import_outcome out;
    out.counts = {plan.added.size(), plan.updated.size(), plan.retired.size(), plan.unchanged};
    if (!dry_run) {
        apply_device_import(db, plan, now);
        append_audit(db, now, actor_id, "devices_imported", std::string(format_name),
                     fmt::format("{} neu, {} geändert, {} ausgemustert, {} unverändert", out.counts.added,
                                 out.counts.updated, out.counts.retired, out.counts.unchanged));
    }
    out.retired = std::move(plan.retired);
    return out;
}

std::optional<device> find_device(SQLite::Database& db, std::int64_t id) {
    static const auto sql = fmt::format("SELECT {} FROM devices d WHERE d.id = ?", device_columns);
    reused_statement s(db, sql);
    s->bind(1, id);
    if (!s->executeStep()) return std::nullopt;
    return read_device(*s);
}

std::optional<device> find_device_by_label(SQLite::Database& db, const std::string& school_number,
                                           std::string_view text) {
    const auto label = trim(text);
    if (label.empty()) return std::nullopt;
    // Two index lookups (devices_by_inventory, the serial's unique index); the inventory number wins. The
    // "<> ''" lets SQLite use the partial index for a bound number.
    static const auto sql = fmt::format(
        "SELECT {0} FROM devices d WHERE d.inventory_number = ?1 AND d.inventory_number <> '' "
        "AND d.school_number = ?2 AND d.status <> 'retired' "
        "UNION ALL SELECT {0} FROM devices d WHERE d.serial = ?3 AND d.school_number = ?2 AND d.status <> 'retired' "
        "LIMIT 1",
        device_columns);
    reused_statement s(db, sql);
    s->bind(1, std::string(label));
    s->bind(2, school_number);
    s->bind(3, normalise_serial(label));
    if (!s->executeStep()) return std::nullopt;
    return read_device(*s);
}

std::vector<device> devices_of_school(SQLite::Database& db, const std::string& school_number) {
    static const auto sql = fmt::format("SELECT {} FROM devices d WHERE d.school_number = ? AND d.status <> 'retired' "
                                        "ORDER BY d.room, d.inventory_number, d.serial",
                                        device_columns);
    reused_statement s(db, sql);
    s->bind(1, school_number);
    std::vector<device> list;
    while (s->executeStep()) list.push_back(read_device(*s));
    return list;
}

device_page list_devices(SQLite::Database& db, const device_query& q) {
    std::string where = "1 = 1" + school_filter(q.schools.size());
    if (q.kind) where += " AND d.kind = ?";
    if (q.state) where += " AND d.status = ?";
    const auto text = std::string(trim(q.text));
    if (!text.empty())
        where += " AND (d.inventory_number = ? OR d.serial = ? OR d.room = ? OR d.model LIKE ? ESCAPE '\\')";
    auto bind = [&](SQLite::Statement& s) {
        int i = 1;
        for (const auto& school : q.schools) s.bind(i++, school);
        if (q.kind) s.bind(i++, std::string(to_string(*q.kind)));
        if (q.state) s.bind(i++, std::string(to_string(*q.state)));
        if (!text.empty()) {
            std::string pattern;
            for (char c : text) {
                if (c == '%' || c == '_' || c == '\\') pattern += '\\';
                pattern += c;
            }
            s.bind(i++, text);
            s.bind(i++, normalise_serial(text));
            s.bind(i++, text);
            s.bind(i++, pattern + "%");
        }
        return i;
    };
    device_page page;
    SQLite::Statement count(db, "SELECT count(*) FROM devices d WHERE " + where);
    bind(count);
    if (count.executeStep()) page.total = count.getColumn(0).getInt64();
    SQLite::Statement s(db, fmt::format("SELECT {} FROM devices d WHERE {} ORDER BY d.school_number, d.room, "
                                        "d.inventory_number, d.serial LIMIT ? OFFSET ?",
                                        device_columns, where));
    const int next = bind(s);
    s.bind(next, q.limit);
    s.bind(next + 1, q.offset);
    while (s.executeStep()) page.devices.push_back(read_device(s));
    return page;
}

namespace {

// The creation time of the device's threshold-th most recent ticket (problem_since_of), by its index.
std::optional<time_ms> kth_ticket_time(SQLite::Database& db, std::int64_t device_id, int threshold) {
    reused_statement s(db, "SELECT created_at FROM ticket_devices WHERE device_id = ? "
                           "ORDER BY created_at DESC LIMIT 1 OFFSET ?");
    s->bind(1, device_id);
    s->bind(2, threshold - 1);
    if (!s->executeStep()) return std::nullopt;
    return s->getColumn(0).getInt64();
}

void set_problem_since(SQLite::Database& db, std::int64_t device_id, std::optional<time_ms> since) {
    reused_statement s(db, "UPDATE devices SET problem_since = ? WHERE id = ?");
    if (since) s->bind(1, static_cast<std::int64_t>(*since));
    else s->bind(1);
    s->bind(2, device_id);
    s->exec();
}

} // namespace

void link_ticket_device(SQLite::Database& db, std::int64_t ticket_id, std::int64_t device_id, time_ms created_at,
                        int threshold) {
    reused_statement s(db, "INSERT INTO ticket_devices (ticket_id, device_id, created_at) VALUES (?, ?, ?)");
    s->bind(1, ticket_id);
    s->bind(2, device_id);
    s->bind(3, created_at);
    s->exec();
    set_problem_since(db, device_id, kth_ticket_time(db, device_id, threshold));
}

std::optional<std::int64_t> device_of_ticket(SQLite::Database& db, std::int64_t ticket_id) {
    reused_statement s(db, "SELECT device_id FROM ticket_devices WHERE ticket_id = ?");
    s->bind(1, ticket_id);
    if (!s->executeStep()) return std::nullopt;
    return s->getColumn(0).getInt64();
}

std::vector<ticket> tickets_of_device(SQLite::Database& db, std::int64_t device_id, int limit) {
    reused_statement s(db, "SELECT t.id, t.number, t.school_number, t.category, t.priority, t.status, t.title, "
                           "t.requester_id, t.assignee_id, t.created_at FROM ticket_devices td "
                           "JOIN tickets t ON t.id = td.ticket_id WHERE td.device_id = ? "
                           "ORDER BY td.created_at DESC LIMIT ?");
    s->bind(1, device_id);
    s->bind(2, limit);
    std::vector<ticket> list;
    while (s->executeStep()) {
        ticket t;
        t.id = s->getColumn(0).getInt64();
        t.number = s->getColumn(1).getString();
        t.school_number = s->getColumn(2).getString();
        t.category = s->getColumn(3).getString();
        t.prio = parse_priority(s->getColumn(4).getString()).value_or(priority::normal);
        t.state = parse_status(s->getColumn(5).getString()).value_or(status::open);
        t.title = s->getColumn(6).getString();
        t.requester_id = s->getColumn(7).getInt64();
        t.assignee_id = s->getColumn(8).getInt64();
        t.created_at = s->getColumn(9).getInt64();
        list.push_back(std::move(t));
    }
    return list;
}

bool refresh_problem_since(SQLite::Database& db, int threshold) {
    const auto wanted = std::to_string(threshold);
    if (load_setting(db, "device_problem_threshold") == wanted) return false;
    // One statement: each device with tickets gets its threshold-th latest ticket time (or NULL).
    SQLite::Statement s(db, "UPDATE devices SET problem_since = (SELECT created_at FROM ticket_devices td "
                            "WHERE td.device_id = devices.id ORDER BY created_at DESC LIMIT 1 OFFSET ?)");
    s.bind(1, threshold - 1);
    s.exec();
    save_setting(db, "device_problem_threshold", wanted);
    return true;
}

std::vector<problem_device> problem_devices(SQLite::Database& db, const std::vector<std::string>& schools,
                                           time_ms window_start, int limit) {
    // The devices whose threshold-th latest ticket lies in the window, through the partial index; their counts in
    // the window through ticket_devices_by_device (each a short range).
    const auto sql = fmt::format(
        "SELECT {}, (SELECT count(*) FROM ticket_devices td WHERE td.device_id = d.id AND td.created_at >= ?1), "
        "(SELECT max(created_at) FROM ticket_devices td WHERE td.device_id = d.id) "
        "FROM devices d INDEXED BY devices_problem WHERE d.problem_since >= ?1{} "
        "ORDER BY 12 DESC, 13 DESC LIMIT {}",
        device_columns, school_filter(schools.size()), limit);
    reused_statement s(db, sql);
    s->bind(1, window_start);
    for (std::size_t i = 0; i < schools.size(); ++i) s->bind(static_cast<int>(i) + 2, schools[i]);
    std::vector<problem_device> list;
    while (s->executeStep()) {
        problem_device p{read_device(*s), s->getColumn(11).getInt(), s->getColumn(12).getInt64()};
        list.push_back(std::move(p));
    }
    return list;
}

std::vector<kind_rate> device_kind_rates(SQLite::Database& db, const std::vector<std::string>& schools,
                                         time_ms window_start) {
    std::map<device_kind, kind_rate> rates;
    {
        SQLite::Statement s(db, "SELECT d.kind, count(*) FROM devices d WHERE d.status <> 'retired'" +
                                    school_filter(schools.size()) + " GROUP BY d.kind");
        for (std::size_t i = 0; i < schools.size(); ++i) s.bind(static_cast<int>(i) + 1, schools[i]);
        while (s.executeStep()) {
            const auto kind = parse_device_kind(s.getColumn(0).getString()).value_or(device_kind::other);
            rates[kind].kind = kind;
            rates[kind].devices += s.getColumn(1).getInt64();
        }
    }
    SQLite::Statement s(db, "SELECT d.kind, count(*) FROM ticket_devices td JOIN devices d ON d.id = td.device_id "
                            "WHERE td.created_at >= ?" +
                                school_filter(schools.size()) + " GROUP BY d.kind");
    s.bind(1, window_start);
    for (std::size_t i = 0; i < schools.size(); ++i) s.bind(static_cast<int>(i) + 2, schools[i]);
    while (s.executeStep()) {
        const auto kind = parse_device_kind(s.getColumn(0).getString()).value_or(device_kind::other);
        rates[kind].kind = kind;
        rates[kind].tickets += s.getColumn(1).getInt64();
    }
    std::vector<kind_rate> list;
    for (auto k : all_device_kinds)
        if (auto it = rates.find(k); it != rates.end()) list.push_back(it->second);
    return list;
}

} // namespace campusdesk
