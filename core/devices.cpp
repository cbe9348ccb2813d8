#include "core/devices.hpp"

#include "core/app_config.hpp"
#include "core/local_time.hpp"
#include "core/text.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace campusdesk {
namespace {

struct kind_names {
    device_kind kind;
    std::string_view id, label;
    std::initializer_list<std::string_view> synonyms;  // lower case
};
const kind_names kinds[] = {
    {device_kind::ipad, "ipad", "iPad", {"tablet"}},
    {device_kind::notebook, "notebook", "Notebook", {"laptop", "macbook", "chromebook"}},
    {device_kind::digital_board, "digital_board", "Digitale Tafel",
     {"digitale tafel", "interaktive tafel", "interactive display", "interactive whiteboard", "smartboard", "display",
      "tafel", "board"}},
    {device_kind::projector, "projector", "Beamer", {"beamer", "projektor"}},
    {device_kind::printer, "printer", "Drucker", {"drucker", "kopierer", "multifunktionsgerät"}},
    {device_kind::access_point, "access_point", "WLAN-Access-Point", {"access point", "ap", "wlan-access-point", "wlan"}},
    {device_kind::network_switch, "switch", "Switch", {"network switch", "netzwerk-switch"}},
    {device_kind::pc, "pc", "PC", {"computer", "desktop", "imac", "mac mini"}},
    {device_kind::other, "other", "Sonstiges", {"sonstiges", "andere"}},
};

struct owner_names {
    owner_group group;
    std::string_view id, label;
    std::initializer_list<std::string_view> synonyms;
};
const owner_names owners[] = {
    {owner_group::pupils, "pupils", "Schüler/innen", {"schüler", "schülerinnen", "students", "student", "schueler"}},
    {owner_group::teachers, "teachers", "Lehrkräfte", {"lehrer", "lehrkraft", "teacher", "staff", "lehrkraefte"}},
    {owner_group::admin, "admin", "Verwaltung", {"verwaltung", "administration", "sekretariat", "office"}},
};

struct status_names {
    device_status state;
    std::string_view id, label;
    std::initializer_list<std::string_view> synonyms;
};
const status_names statuses[] = {
    {device_status::in_use, "in_use", "In Betrieb", {"in betrieb", "aktiv", "active", "in use", "managed", "supervised"}},
    {device_status::in_repair, "in_repair", "In Reparatur", {"in reparatur", "reparatur", "repair", "defekt", "defective"}},
    {device_status::retired, "retired", "Ausgemustert", {"ausgemustert", "retired", "decommissioned", "lost", "verloren"}},
};

template <class Table, class T>
const auto& entry_of(const Table& table, T value, auto member) {
    for (const auto& e : table)
        if (e.*member == value) return e;
    return table[0];
}

template <class Table, class Member>
auto parse_named(const Table& table, std::string_view text, Member member) -> std::optional<std::remove_cvref_t<decltype(table[0].*member)>> {
    const auto key = ascii_lower(trim(text));
    if (key.empty()) return std::nullopt;
    for (const auto& e : table) {
        if (key == e.id || key == ascii_lower(e.label)) return e.*member;
        for (auto s : e.synonyms)
            if (key == s) return e.*member;
    }
    return std::nullopt;
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2026-08-15", "15.08.2026", or the date of a timestamp "2026-08-15T10:00:00Z" / "2026-08-15 10:00:00".
std::optional<local_date> parse_device_date(std::string_view text) {
    if (text.size() > 10 && (text[10] == 'T' || text[10] == ' ')) return parse_iso_date(text.substr(0, 10));
    if (text.size() == 10 && text[2] == '.' && text[5] == '.')
        return parse_iso_date(fmt::format("{}-{}-{}", text.substr(6, 4), text.substr(3, 2), text.substr(0, 2)));
    return parse_iso_date(text);
}

// The six-digit school number a school cell holds or begins with.
std::string school_number_in(std::string_view cell) {
    cell = trim(cell);
    if (cell.size() >= 6 && all_digits(cell.substr(0, 6)) &&
        (cell.size() == 6 || cell[6] == ' ' || cell[6] == '-' || cell[6] == '_'))
        return std::string(cell.substr(0, 6));
    return std::string(cell);
}

char separator_of(std::string_view text) {
    const auto end = text.find('\n');
    const auto header = text.substr(0, end);
    return std::count(header.begin(), header.end(), ';') > std::count(header.begin(), header.end(), ',') ? ';' : ',';
}

int days_between(local_date from, local_date to) {
    const auto a = date::sys_days(date::year(from.year) / date::month(from.month) / date::day(from.day));
    const auto b = date::sys_days(date::year(to.year) / date::month(to.month) / date::day(to.day));
    return static_cast<int>((b - a).count());
}

} // namespace

std::string_view to_string(device_kind k) { return entry_of(kinds, k, &kind_names::kind).id; }
std::string_view to_string(owner_group g) { return entry_of(owners, g, &owner_names::group).id; }
std::string_view to_string(device_status s) { return entry_of(statuses, s, &status_names::state).id; }
std::string_view device_kind_label(device_kind k) { return entry_of(kinds, k, &kind_names::kind).label; }
std::string_view owner_group_label(owner_group g) { return entry_of(owners, g, &owner_names::group).label; }
std::string_view device_status_label(device_status s) { return entry_of(statuses, s, &status_names::state).label; }
std::optional<device_kind> parse_device_kind(std::string_view text) { return parse_named(kinds, text, &kind_names::kind); }
std::optional<owner_group> parse_owner_group(std::string_view text) { return parse_named(owners, text, &owner_names::group); }
std::optional<device_status> parse_device_status(std::string_view text) {
    return parse_named(statuses, text, &status_names::state);
}

std::optional<device_kind> kind_from_model(std::string_view model) {
    const auto m = ascii_lower(model);
    static const std::pair<std::string_view, device_kind> words[] = {
        {"ipad", device_kind::ipad},           {"macbook", device_kind::notebook},    {"notebook", device_kind::notebook},
        {"laptop", device_kind::notebook},     {"thinkpad", device_kind::notebook},   {"chromebook", device_kind::notebook},
        {"imac", device_kind::pc},             {"mac mini", device_kind::pc},         {"optiplex", device_kind::pc},
        {"apple tv", device_kind::other},      {"beamer", device_kind::projector},    {"projector", device_kind::projector},
        {"drucker", device_kind::printer},     {"printer", device_kind::printer},     {"laserjet", device_kind::printer},
        {"access point", device_kind::access_point}, {"switch", device_kind::network_switch},
        {"board", device_kind::digital_board}, {"tafel", device_kind::digital_board}, {"display", device_kind::digital_board}};
    for (const auto& [word, kind] : words)
        if (m.find(word) != std::string::npos) return kind;
    return std::nullopt;
}

bool device::same_fields(const device& o) const {
    return school_number == o.school_number && kind == o.kind && model == o.model && serial == o.serial &&
           inventory_number == o.inventory_number && room == o.room && owner == o.owner &&
           purchase_date == o.purchase_date && warranty_end == o.warranty_end && state == o.state;
}

bool can_see_device(const viewer& v, const device& d, std::int64_t school_manager_id) {
    switch (v.who) {
    case role::teacher: return !v.school_number.empty() && d.school_number == v.school_number;
    case role::campus_manager: return v.looks_after(school_manager_id);
    default: return is_staff(v.who);
    }
}

bool may_import_devices(role r) { return is_help_desk(r); }

std::string normalise_serial(std::string_view text) {
    std::string out(trim(text));
    std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'a' && c <= 'z' ? char(c - 32) : c; });
    return out;
}

// --- formats ---------------------------------------------------------------------------------------------------

std::string_view to_string(device_field f) {
    switch (f) {
    case device_field::school: return "school_number";
    case device_field::kind: return "kind";
    case device_field::model: return "model";
    case device_field::serial: return "serial_number";
    case device_field::inventory_number: return "inventory_number";
    case device_field::room: return "room";
    case device_field::owner_group: return "owner_group";
    case device_field::purchase_date: return "purchase_date";
    case device_field::warranty_end: return "warranty_end";
    case device_field::status: return "status";
    }
    return "";
}

std::optional<device_field> parse_device_field(std::string_view text) {
    for (auto f : all_device_fields)
        if (to_string(f) == text) return f;
    return std::nullopt;
}

std::string_view device_field_label(device_field f) {
    switch (f) {
    case device_field::school: return "Schulnummer";
    case device_field::kind: return "Geräteart";
    case device_field::model: return "Modell";
    case device_field::serial: return "Seriennummer";
    case device_field::inventory_number: return "Inventarnummer";
    case device_field::room: return "Raum";
    case device_field::owner_group: return "Nutzergruppe";
    case device_field::purchase_date: return "Kaufdatum";
    case device_field::warranty_end: return "Garantieende";
    case device_field::status: return "Status";
    }
    return "";
}

std::vector<device_csv_format> builtin_device_formats() {
    using f = device_field;
    device_csv_format own{"campusdesk", "campusdesk (eigenes Format)", {}, device_kind::other, owner_group::pupils};
    for (auto field : all_device_fields) own.columns[field] = std::string(to_string(field));
    // The MDMs' column names as their device exports write them (from their documentation as we know it; a city
    // whose export differs names its columns in [devices.formats.NAME], docs/devices.md).
    device_csv_format jamf{"jamf_school", "Jamf School (Geräte-Export)",
                           {{f::school, "Location"}, {f::model, "Model"}, {f::serial, "Serial Number"},
                            {f::inventory_number, "Asset Tag"}, {f::room, "Room"}, {f::owner_group, "Owner Group"},
                            {f::purchase_date, "Purchase Date"}, {f::warranty_end, "Warranty Expires"}},
                           device_kind::ipad, owner_group::pupils};
    device_csv_format asm_format{"apple_school_manager", "Apple School Manager (Geräte-Export)",
                                 {{f::school, "Location"}, {f::model, "Device Model"}, {f::serial, "Serial Number"},
                                  {f::purchase_date, "Order Date"}, {f::warranty_end, "Warranty End Date"}},
                                 device_kind::ipad, owner_group::pupils};
    device_csv_format relution{"relution", "Relution (Geräteliste)",
                               {{f::school, "Organization"}, {f::model, "Model"}, {f::serial, "Serial number"},
                                {f::inventory_number, "Inventory number"}, {f::room, "Room"},
                                {f::owner_group, "User group"}, {f::status, "Status"},
                                {f::purchase_date, "Purchase date"}, {f::warranty_end, "Warranty until"}},
                               device_kind::ipad, owner_group::pupils};
    return {std::move(own), std::move(jamf), std::move(asm_format), std::move(relution)};
}

const device_csv_format* devices_config::find_format(std::string_view name) const {
    auto it = std::find_if(formats.begin(), formats.end(), [&](const device_csv_format& f) { return f.name == name; });
    return it != formats.end() ? &*it : nullptr;
}

std::string format_device_import_error(const device_import_error& e) {
    if (e.line == 0) return e.message;
    if (e.column.empty()) return fmt::format("Zeile {}: {}", e.line, e.message);
    return fmt::format("Zeile {}, Spalte „{}“: {}", e.line, e.column, e.message);
}

device_csv_result read_device_csv(std::string_view text, const device_csv_format& format,
                                  const std::function<bool(std::string_view)>& known_school,
                                  const device_field_limits& limits) {
    device_csv_result result;
    auto add = [&](int line, std::string column, std::string message) {
        if (result.errors.size() < max_device_import_errors)
            result.errors.push_back({line, std::move(column), std::move(message)});
        else
            ++result.more_errors;
    };
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    auto parsed = parse_csv(text, "", separator_of(text));
    if (auto* error = std::get_if<config_error>(&parsed)) {
        add(error->line, "", "Die Datei ist keine gültige CSV-Datei: " + error->message);
        return result;
    }
    auto& rows = std::get<std::vector<csv_row>>(parsed);
    if (rows.empty()) {
        add(0, "", "Die Datei ist leer.");
        return result;
    }
    // Which field each column of the header holds.
    std::map<device_field, std::size_t> position;
    const auto& header = rows.front().fields;
    for (const auto& [field, column] : format.columns)
        for (std::size_t i = 0; i < header.size(); ++i)
            if (ascii_lower(trim(header[i])) == ascii_lower(trim(column))) position.emplace(field, i);
    for (auto required : {device_field::school, device_field::serial}) {
        if (position.contains(required)) continue;
        const auto it = format.columns.find(required);
        add(rows.front().line, "",
            fmt::format("Die Spalte „{}“ ({}) fehlt in der Kopfzeile. Passt das Format „{}“ zu dieser Datei?",
                        it == format.columns.end() ? std::string(to_string(required)) : it->second,
                        device_field_label(required), format.label));
    }
    if (!result.errors.empty()) return result;

    std::unordered_map<std::string, int> serial_lines;
    std::set<std::pair<std::string, std::string>> inventory_numbers;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const auto errors_before = result.errors.size() + result.more_errors;
        auto cell = [&](device_field f) -> std::string_view {
            const auto it = position.find(f);
            if (it == position.end() || it->second >= row.fields.size()) return {};
            return trim(row.fields[it->second]);
        };
        auto column = [&](device_field f) { return format.columns.at(f); };
        if (row.fields.size() != header.size()) {
            add(row.line, "", fmt::format("{} Felder statt {} wie in der Kopfzeile.", row.fields.size(), header.size()));
            continue;
        }
        device d;
        d.school_number = school_number_in(cell(device_field::school));
        if (d.school_number.empty()) add(row.line, column(device_field::school), "Die Schulnummer fehlt.");
        else if (!known_school(d.school_number))
            add(row.line, column(device_field::school), fmt::format("Schule „{}“ ist nicht bekannt.", d.school_number));
        d.serial = normalise_serial(cell(device_field::serial));
        if (d.serial.empty()) add(row.line, column(device_field::serial), "Die Seriennummer fehlt.");
        else if (d.serial.size() > limits.number_max)
            add(row.line, column(device_field::serial), fmt::format("Höchstens {} Zeichen.", limits.number_max));
        else if (auto [it, fresh] = serial_lines.emplace(d.serial, row.line); !fresh)
            add(row.line, column(device_field::serial),
                fmt::format("Seriennummer {} steht schon in Zeile {}.", d.serial, it->second));
        d.model = std::string(cell(device_field::model));
        if (d.model.size() > limits.text_max)
            add(row.line, column(device_field::model), fmt::format("Höchstens {} Zeichen.", limits.text_max));
        if (const auto kind = cell(device_field::kind); !kind.empty()) {
            if (auto k = parse_device_kind(kind)) d.kind = *k;
            else
                add(row.line, column(device_field::kind),
                    fmt::format("„{}“ ist keine bekannte Geräteart (iPad, Notebook, Digitale Tafel, Beamer, Drucker, "
                                "Access Point, Switch, PC, Sonstiges).", kind));
        } else {
            d.kind = kind_from_model(d.model).value_or(format.default_kind);
        }
        d.inventory_number = std::string(cell(device_field::inventory_number));
        if (d.inventory_number.size() > limits.number_max)
            add(row.line, column(device_field::inventory_number), fmt::format("Höchstens {} Zeichen.", limits.number_max));
        else if (!d.inventory_number.empty() && !inventory_numbers.emplace(d.school_number, d.inventory_number).second)
            add(row.line, column(device_field::inventory_number),
                fmt::format("Inventarnummer {} kommt an dieser Schule zweimal vor.", d.inventory_number));
        d.room = std::string(cell(device_field::room));
        if (d.room.size() > limits.text_max)
            add(row.line, column(device_field::room), fmt::format("Höchstens {} Zeichen.", limits.text_max));
        d.owner = format.default_owner;
        if (const auto owner = cell(device_field::owner_group); !owner.empty()) {
            if (auto g = parse_owner_group(owner)) d.owner = *g;
            else
                add(row.line, column(device_field::owner_group),
                    fmt::format("„{}“ ist keine Nutzergruppe (Schüler/innen, Lehrkräfte, Verwaltung).", owner));
        }
        if (const auto state = cell(device_field::status); !state.empty()) {
            if (auto s = parse_device_status(state)) d.state = *s;
            else
                add(row.line, column(device_field::status),
                    fmt::format("„{}“ ist kein Status (In Betrieb, In Reparatur, Ausgemustert).", state));
        }
        for (auto [field, target] : {std::pair{device_field::purchase_date, &d.purchase_date},
                                     std::pair{device_field::warranty_end, &d.warranty_end}}) {
            const auto value = cell(field);
            if (value.empty()) continue;
            *target = parse_device_date(value);
            if (!*target)
                add(row.line, column(field),
                    fmt::format("„{}“ ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ).", value));
        }
        if (d.purchase_date && d.warranty_end && *d.warranty_end < *d.purchase_date)
            add(row.line, column(device_field::warranty_end), "Die Garantie endet vor dem Kaufdatum.");
        if (result.errors.size() + result.more_errors == errors_before) result.rows.push_back({row.line, std::move(d)});
    }
    if (rows.size() == 1 && result.errors.empty()) add(0, "", "Die Datei enthält keine Geräte, nur die Kopfzeile.");
    return result;
}

device_import_plan plan_device_import(std::vector<device_row> rows, std::span<const device> existing) {
    device_import_plan plan;
    std::unordered_map<std::string_view, const device*> by_serial;
    by_serial.reserve(existing.size());
    for (const auto& d : existing) by_serial.emplace(d.serial, &d);
    std::unordered_set<std::string> schools, serials;
    for (const auto& r : rows) {
        schools.insert(r.d.school_number);
        serials.insert(r.d.serial);
    }
    for (auto& r : rows) {
        const auto it = by_serial.find(r.d.serial);
        if (it == by_serial.end()) {
            plan.added.push_back(std::move(r.d));
        } else if (r.d.id = it->second->id; r.d.same_fields(*it->second)) {
            ++plan.unchanged;
        } else {
            plan.updated.push_back(std::move(r.d));
        }
    }
    for (const auto& d : existing)
        if (d.state != device_status::retired && schools.contains(d.school_number) && !serials.contains(d.serial)) {
            plan.retired.push_back(d);
            plan.retired.back().state = device_status::retired;
        }
    return plan;
}

// --- warranty, problem devices, rates ----------------------------------------------------------------------------

warranty_info warranty_of(const device& d, local_date today) {
    if (!d.warranty_end) return {};
    if (*d.warranty_end < today) return {warranty_state::expired, 0};
    return {warranty_state::active, days_between(today, *d.warranty_end)};
}

std::string_view to_string(warranty_state s) {
    switch (s) {
    case warranty_state::active: return "active";
    case warranty_state::expired: return "expired";
    case warranty_state::unknown: return "unknown";
    }
    return "unknown";
}

std::string format_german_date(local_date d) { return fmt::format("{:02}.{:02}.{:04}", d.day, d.month, d.year); }
std::string format_iso_date(local_date d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

std::string format_date(local_date d, language lang) {
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return lang == language::en ? fmt::format("{} {} {}", d.day, months[d.month - 1], d.year) : format_german_date(d);
}

std::string warranty_text(const device& d, local_date today, language lang) {
    const bool en = lang == language::en;
    const auto date = [lang](local_date x) { return format_date(x, lang); };
    const auto w = warranty_of(d, today);
    switch (w.state) {
    case warranty_state::active: {
        const auto many = fmt::runtime(en ? "{} days left" : "noch {} Tage");
        const auto left = w.days_left == 0   ? std::string(en ? "ends today" : "endet heute")
                          : w.days_left == 1 ? std::string(en ? "1 day left" : "noch 1 Tag")
                                             : fmt::format(many, w.days_left);
        return fmt::format(fmt::runtime(en ? "Under warranty until {} ({})" : "Garantie bis {} ({})"),
                           date(*d.warranty_end), left);
    }
    case warranty_state::expired:
        return fmt::format(fmt::runtime(en ? "Warranty ended on {}" : "Garantie abgelaufen am {}"),
                           date(*d.warranty_end));
    case warranty_state::unknown: break;
    }
    return en ? "Warranty unknown" : "Garantie unbekannt";
}

std::optional<time_ms> problem_since_of(std::span<const time_ms> ticket_times, int threshold) {
    if (threshold <= 0 || ticket_times.size() < static_cast<std::size_t>(threshold)) return std::nullopt;
    std::vector<time_ms> sorted(ticket_times.begin(), ticket_times.end());
    std::nth_element(sorted.begin(), sorted.begin() + (threshold - 1), sorted.end(), std::greater<>());
    return sorted[static_cast<std::size_t>(threshold - 1)];
}

time_ms problem_window_start(time_ms now, int days) { return now - static_cast<time_ms>(days) * 86'400'000; }

bool is_problem_device(std::optional<time_ms> problem_since, time_ms now, int days) {
    return problem_since && *problem_since >= problem_window_start(now, days) && *problem_since <= now;
}

std::optional<double> tickets_per_100(std::int64_t tickets, std::int64_t devices) {
    if (devices <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(tickets) / static_cast<double>(devices);
}

} // namespace campusdesk
