// Test-data generator for the benchmarks (issue 7): N realistic tickets over Y years for the configured schools,
// written through the real storage code (insert_ticket / append_event, in transactions of 5,000 tickets), plus
// the demo accounts (password "demo") and 30 more teachers per school.
//
//   generate_bench --config FILE --data DIR --tickets N [--years Y] [--seed S]
//
// Shape: creations on school days during school hours, a peak in September after the summer holidays, few in
// July and over Christmas; category and priority shares of a school IT helpdesk; 3 to 12 events per ticket
// (replies, notes, questions to the requester, priority changes, escalations, resolved, closed, some reopened).
// Tickets older than a few weeks are almost all resolved or closed, so queues hold what a real one holds.
// The inventory (issue 18): about 84,000 iPads and 6,000 other devices over the schools (server/cli/demo_inventory);
// two in five tickets of a device's category name one of the school's devices of that kind and are linked to it.
#include "core/local_time.hpp"
#include "core/routing.hpp"
#include "server/cli/demo_inventory.hpp"
#include "server/config_loader.hpp"
#include "storage/device_repository.hpp"
#include "server/accounts/credentials.hpp"
#include "storage/database.hpp"
#include "storage/directory_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace campusdesk;

namespace {

constexpr time_ms minute = 60'000;
constexpr time_ms hour = 60 * minute;
constexpr time_ms day = 24 * hour;
constexpr std::size_t batch_tickets = 5000;
constexpr int extra_teachers_per_school = 30;

struct sample {
    const char* title;
    const char* description;
};

// Titles per category; the share of each category is its weight below.
const std::map<std::string, std::pair<double, std::vector<sample>>> catalogue{
    {"ipad", {22, {{"iPad-Koffer lädt nicht", "Im iPad-Koffer 2 laden die Geräte über Nacht nicht mehr."},
                   {"iPad gesperrt (Code vergessen)", "Ein Schüler-iPad zeigt 'iPad nicht verfügbar'."},
                   {"App fehlt auf den Klassen-iPads", "Die Lern-App für Englisch ist nicht auf den iPads der 6b."},
                   {"iPad-Display gesprungen", "Ein Schüler-iPad ist heruntergefallen, das Glas ist gesprungen."}}}},
    {"network", {16, {{"Kein WLAN im ganzen Gebäude", "Seit der ersten Stunde hat kein Gerät im Haus WLAN."},
                      {"WLAN im Raum sehr langsam", "Videos laden nicht, Seiten brauchen Minuten."},
                      {"Netzwerkdose ohne Funktion", "Die Dose neben der Tafel liefert kein Netz."}}}},
    {"presentation", {15, {{"Beamer zeigt kein Bild", "Der Beamer zeigt nur 'Kein Signal', egal welches Kabel."},
                           {"Digitale Tafel reagiert nicht auf Stift", "Das Board zeigt das Bild, aber der Stift wird nicht erkannt."},
                           {"Apple TV verbindet nicht", "AirPlay findet das Apple TV im Raum nicht."}}}},
    {"account", {14, {{"Passwort für LOGINEO zurücksetzen", "Kollegin kommt nicht mehr in LOGINEO NRW."},
                      {"Neue Kollegin braucht Zugang", "Ab Montag neue Referendarin, bitte Konto anlegen."},
                      {"Schülerkonten für neue 5er", "Bitte Konten für die neuen fünften Klassen anlegen."}}}},
    {"notebook", {9, {{"Lehrer-Notebook startet nicht", "Das Notebook bleibt beim Hersteller-Logo hängen."},
                      {"Notebook-Akku hält nicht", "Der Akku ist nach 20 Minuten leer."}}}},
    {"printer", {8, {{"Drucker im Lehrerzimmer druckt nicht", "Druckaufträge bleiben in der Warteschlange hängen."},
                     {"Kopierer meldet Papierstau", "Papierstau, obwohl kein Papier zu sehen ist."}}}},
    {"pc", {6, {{"PC im Computerraum defekt", "PC 7 im Informatikraum startet nicht mehr, Lüfter laut."},
                {"Monitor flackert", "Der Monitor am Lehrerpult flackert ständig."}}}},
    {"software", {6, {{"Lernsoftware lässt sich nicht installieren", "Wir brauchen die Mathe-Software für die 5. Klassen."},
                      {"Office-Lizenz abgelaufen", "Word meldet 'Produkt nicht lizenziert'."}}}},
    {"other", {4, {{"Dokumentenkamera fehlt Kabel", "Das USB-Kabel der Dokumentenkamera ist verschwunden."},
                   {"Lautsprecher in der Aula brummen", "Bei jeder Veranstaltung brummt die Anlage."}}}},
};

constexpr std::array rooms{"A 0.12", "A 1.04", "B 1.12", "B 2.03", "Lehrerzimmer", "Sekretariat", "Aula",
                           "Informatikraum", "NW 1", "Bibliothek", "Turnhalle", "C 0.01"};
constexpr std::array first_names{"Anna", "Jonas", "Petra", "Mehmet", "Sabine", "Lukas", "Aylin", "Thomas",
                                 "Katrin", "Jan", "Miriam", "Stefan", "Elif", "Michael", "Julia", "Dirk"};
constexpr std::array last_names{"Schulte", "Becker", "Yilmaz", "Hoffmann", "Krüger", "Wagner", "Kowalski",
                                "Schmitz", "Neumann", "Özdemir", "Brinkmann", "Hellweg", "Lange", "Fischer"};

// Tickets per school day relative to an average month: September peaks (new classes, new devices, new
// accounts), July (summer holidays in NRW) and December are quiet.
constexpr std::array<double, 12> month_weight{1.0, 1.0, 1.0, 0.8, 0.9, 0.9, 0.45, 1.1, 1.7, 1.1, 1.0, 0.7};
constexpr std::array<double, 7> weekday_weight{0.03, 1.3, 1.1, 1.0, 1.0, 0.8, 0.05};  // Sunday first

struct options {
    std::string config;
    std::string data;
    std::size_t tickets = 0;
    int years = 10;
    unsigned seed = 20261123;
};

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "generate_bench: " << why
              << "\nusage: generate_bench --config FILE --data DIR --tickets N [--years Y] [--seed S]\n";
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage(arg + " needs a value");
        const std::string value = argv[++i];
        auto number = [&](auto& out) {
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
            if (ec != std::errc{} || p != value.data() + value.size()) usage(arg + ": not a number");
        };
        if (arg == "--config") o.config = value;
        else if (arg == "--data") o.data = value;
        else if (arg == "--tickets") number(o.tickets);
        else if (arg == "--years") number(o.years);
        else if (arg == "--seed") number(o.seed);
        else usage("unknown option " + arg);
    }
    if (o.config.empty() || o.data.empty() || o.tickets == 0) usage("--config, --data and --tickets are required");
    if (o.years < 1 || o.years > 30) usage("--years must be 1..30");
    return o;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

time_ms now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

int main(int argc, char** argv) {
    const auto opt = parse(argc, argv);
    init_credentials();
    auto loaded = load_config(opt.config);
    if (!loaded.errors.empty()) usage(fmt::format("{}: {} config error(s)", opt.config, loaded.errors.size()));
    const app_config& config = *loaded.config;
    const business_calendar calendar(config.calendar);
    const sla_context sla{config.sla, calendar};
    const auto* zone = calendar.zone();
    std::filesystem::create_directories(opt.data);
    const auto file = std::filesystem::path(opt.data) / "campusdesk.db";
    auto db = open_writer_database(file);
    const auto started = std::chrono::steady_clock::now();

    // Directory and accounts, as `serve --demo` creates them (one argon2 hash of "demo" for all).
    struct school_people {
        std::string number;
        std::int64_t manager_id = 0;
        std::int64_t manager_user = 0;
        std::vector<std::int64_t> teachers;
        double weight = 1;
    };
    std::vector<school_people> schools;
    std::vector<std::int64_t> dispatchers;
    std::mt19937_64 rng(opt.seed);
    auto pick_index = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    const time_ms now = now_ms();
    {
        SQLite::Transaction tx(db);
        sync_directory(db, config, sla, now);
        if (count_users(db) != 0) usage(fmt::format("{} holds users already; use an empty --data directory", file.string()));
        const std::string hash = hash_password("demo");
        auto add = [&](std::string login, std::string name, role r, std::string school, std::int64_t manager) {
            return insert_user(db, {0, std::move(login), std::move(name), r, std::move(school), manager, hash, false, {}},
                               now);
        };
        auto person = [&] { return fmt::format("{} {}", first_names[pick_index(first_names.size())], last_names[pick_index(last_names.size())]); };
        add("admin", "Administration Schulverwaltung", role::admin, "", 0);
        dispatchers.push_back(add("dispatch1", "Help-Desk Ines Marx", role::dispatcher, "", 0));
        dispatchers.push_back(add("dispatch2", "Help-Desk Oliver Brandt", role::dispatcher, "", 0));
        std::map<std::int64_t, std::int64_t> manager_users;
        for (const auto& m : load_managers(db))
            manager_users[m.id] = add(m.login, m.name, role::campus_manager, "", m.id);
        for (const auto& s : load_schools(db)) {
            school_people p;
            p.number = s.number;
            p.manager_id = s.manager_id;
            p.manager_user = manager_users.at(s.manager_id);
            p.teachers.push_back(add("teacher-" + s.number, person(), role::teacher, s.number, 0));
            for (int i = 1; i <= extra_teachers_per_school; ++i)
                p.teachers.push_back(add(fmt::format("teacher-{}-{:02}", s.number, i), person(), role::teacher, s.number, 0));
            p.weight = s.kind == "Grundschule" ? 1.0 : s.kind == "Förderschule" ? 0.8 : 2.2;  // bigger schools, more devices
            schools.push_back(std::move(p));
        }
        tx.commit();
    }
    if (schools.empty()) usage("the config has no schools");

    std::map<std::pair<std::string, device_kind>, std::vector<device>> devices_by_school_kind;
    {
        std::vector<inventory_school> inventory_schools;
        for (const auto& s : load_schools(db)) inventory_schools.push_back({s.number, s.kind});
        std::mt19937 inventory_rng(static_cast<std::mt19937::result_type>(opt.seed));
        device_import_plan plan;
        plan.added = generate_inventory(inventory_schools, 84'000, 6'000, local_date_of(now, zone), inventory_rng);
        SQLite::Transaction tx(db);
        apply_device_import(db, plan, now);
        tx.commit();
        for (auto& d : load_all_devices(db)) devices_by_school_kind[{d.school_number, d.kind}].push_back(std::move(d));
        std::cerr << fmt::format("{} devices, {:.0f} s\n", plan.added.size(), seconds_since(started));
    }
    const std::map<std::string, device_kind> category_kinds{
        {"ipad", device_kind::ipad},       {"notebook", device_kind::notebook}, {"pc", device_kind::pc},
        {"printer", device_kind::printer}, {"presentation", device_kind::digital_board},
        {"network", device_kind::access_point}};

    // Creation instants: a weighted day over the span, then a time of day around school hours; sorted, so that
    // ticket numbers rise with time as in production.
    const time_ms span_start = now - static_cast<time_ms>(opt.years) * 365 * day;
    std::vector<double> day_weights;
    std::vector<time_ms> day_starts;
    for (time_ms d = span_start; d < now; d += day) {
        const auto local = local_date_of(d, zone);
        const auto wd = date::weekday(date::year_month_day(date::year(local.year), date::month(static_cast<unsigned>(local.month)),
                                                           date::day(static_cast<unsigned>(local.day)))).c_encoding();
        // Slow growth: more devices every year (the DigitalPakt), about 1.6x over ten years.
        const double growth = 1.0 + 0.6 * static_cast<double>(d - span_start) / static_cast<double>(now - span_start);
        day_weights.push_back(month_weight[static_cast<std::size_t>(local.month - 1)] * weekday_weight[wd] * growth);
        day_starts.push_back(local_day_start(local, zone));
    }
    std::discrete_distribution<std::size_t> pick_day(day_weights.begin(), day_weights.end());
    std::normal_distribution<double> time_of_day(10.5, 2.2);  // hours, local
    std::vector<time_ms> created(opt.tickets);
    for (auto& c : created) {
        const double h = std::clamp(time_of_day(rng), 6.5, 19.5);
        c = std::min(now - minute, day_starts[pick_day(rng)] + static_cast<time_ms>(h * static_cast<double>(hour)));
    }
    std::sort(created.begin(), created.end());

    std::vector<double> school_weights;
    for (const auto& s : schools) school_weights.push_back(s.weight);
    std::discrete_distribution<std::size_t> pick_school(school_weights.begin(), school_weights.end());
    std::vector<const std::string*> category_ids;
    std::vector<double> category_weights;
    for (const auto& c : config.categories) {
        auto it = catalogue.find(c.id);
        category_ids.push_back(&c.id);
        category_weights.push_back(it == catalogue.end() ? 2.0 : it->second.first);
    }
    std::discrete_distribution<std::size_t> pick_category(category_weights.begin(), category_weights.end());
    const std::array<double, 4> priority_weights{3, 17, 60, 20};  // critical, high, normal, low
    std::discrete_distribution<std::size_t> pick_priority(priority_weights.begin(), priority_weights.end());
    const std::vector<sample> fallback{{"Problem mit Gerät", "Bitte melden Sie sich bei uns."}};

    std::size_t events_total = 0;
    std::map<std::string, std::size_t> final_status;
    auto tx = std::make_unique<SQLite::Transaction>(db);
    for (std::size_t i = 0; i < opt.tickets; ++i) {
        if (i > 0 && i % batch_tickets == 0) {
            tx->commit();
            tx = std::make_unique<SQLite::Transaction>(db);
            if (i % 100'000 == 0)
                std::cerr << fmt::format("{} tickets, {} events, {:.0f} s\n", i, events_total, seconds_since(started));
        }
        const auto& school = schools[pick_school(rng)];
        const auto cat = pick_category(rng);
        const auto cat_it = catalogue.find(*category_ids[cat]);
        const auto& samples = cat_it == catalogue.end() ? fallback : cat_it->second.second;
        const auto& s = samples[pick_index(samples.size())];
        const time_ms created_at = created[i];
        // The demo teacher files one ticket in four, so a benchmark login has a history of its own.
        const auto requester = chance(0.25) ? school.teachers.front() : school.teachers[pick_index(school.teachers.size())];
        ticket t;
        t.school_number = school.number;
        t.category = *category_ids[cat];
        t.prio = all_priorities[pick_priority(rng)];
        if (t.category == "network" && chance(0.2)) t.prio = priority::critical;
        t.title = s.title;
        t.description = s.description;
        t.room = rooms[pick_index(rooms.size())];
        const device* about = nullptr;
        if (chance(0.4)) {
            const auto kind = category_kinds.find(t.category);
            const auto found = kind == category_kinds.end() ? devices_by_school_kind.end()
                                                            : devices_by_school_kind.find({school.number, kind->second});
            if (found != devices_by_school_kind.end() && !found->second.empty()) {
                about = &found->second[pick_index(found->second.size())];
                t.asset_tag = about->inventory_number;
            } else {
                t.asset_tag = fmt::format("DO-{}-{:06}", school.number.substr(0, 3), pick_index(1'000'000));
            }
        }
        t.requester_id = requester;
        t.assignee_id = school.manager_id;
        ticket_event first;
        first.at = created_at;
        first.actor_id = requester;
        t = insert_ticket(db, t, first, local_date_of(created_at, zone).year, sla, now);
        if (about) link_ticket_device(db, t.id, about->id, created_at, config.devices.problem_tickets);
        int events = 1;
        const int max_events = 3 + static_cast<int>(pick_index(10));  // 3..12
        time_ms at = created_at;
        // Business-like gaps: minutes to days, the first reply mostly within hours.
        auto step = [&](time_ms min, time_ms max) {
            at += std::uniform_int_distribution<time_ms>(min, max)(rng);
            return at < now;
        };
        auto add = [&](event_kind kind, std::int64_t actor, bool staff, auto&& fill) {
            ticket_event e;
            e.at = at;
            e.actor_id = actor;
            e.by_staff = staff;
            e.kind = kind;
            fill(e);
            t = append_event(db, t, e, sla, now);
            ++events;
        };
        auto none = [](ticket_event&) {};
        const auto manager = school.manager_user;
        const bool forgotten = chance(0.001);  // a few stay open for ever
        do {
            if (!step(10 * minute, 6 * hour)) break;
            add(event_kind::public_reply, manager, true, [](ticket_event& e) { e.body = "Danke für die Meldung, ich schaue mir das an."; });
            if (!step(minute, hour)) break;
            add(event_kind::status_changed, manager, true, [](ticket_event& e) { e.to_status = status::open; });
            if (forgotten) break;
            // The middle of the story: questions, notes, priority changes, escalations, until 2 events remain.
            while (events < max_events - 2) {
                const auto what = pick_index(10);
                if (!step(30 * minute, 2 * day)) break;
                if (what < 3) {
                    add(event_kind::status_changed, manager, true, [](ticket_event& e) {
                        e.to_status = status::waiting_on_requester;
                        e.body = "Welche Gerätenummer steht auf dem Aufkleber?";
                    });
                    if (events >= max_events - 2 || !step(30 * minute, day)) break;
                    add(event_kind::public_reply, requester, false, [](ticket_event& e) { e.body = "Die Nummer ist DO-IP-004711."; });
                    if (t.state == status::waiting_on_requester && events < max_events - 2)
                        add(event_kind::status_changed, manager, true, [](ticket_event& e) { e.to_status = status::open; });
                } else if (what < 5) {
                    add(event_kind::internal_note, manager, true, [](ticket_event& e) { e.body = "Ersatzteil bestellt."; });
                } else if (what < 6 && !config.partners.empty()) {
                    add(event_kind::escalated, chance(0.5) ? manager : dispatchers[pick_index(dispatchers.size())], true,
                        [&](ticket_event& e) {
                            e.partner = config.partners[pick_index(config.partners.size())].id;
                            e.body = "Störung liegt beim Anbieter, Ticket dort eröffnet.";
                        });
                    if (events >= max_events - 2 || !step(hour, 3 * day)) break;
                    add(event_kind::status_changed, manager, true, [](ticket_event& e) {
                        e.to_status = status::open;
                        e.body = "Anbieter hat die Störung behoben.";
                    });
                } else if (what < 7) {
                    const auto p = all_priorities[pick_index(4)];
                    if (p != t.prio)
                        add(event_kind::priority_changed, manager, true, [&](ticket_event& e) { e.to_priority = p; });
                } else {
                    add(event_kind::public_reply, manager, true, [](ticket_event& e) { e.body = "Ich komme morgen vorbei."; });
                }
            }
            if (t.state != status::open && t.state != status::new_) {
                if (!step(minute, hour)) break;
                add(event_kind::status_changed, manager, true, [](ticket_event& e) { e.to_status = status::open; });
            }
            if (!step(hour, 3 * day)) break;
            add(event_kind::resolved, manager, true, [](ticket_event& e) { e.body = "Vor Ort behoben."; });
            // Reopened only with room left for the second resolution (never more than 12 events).
            if (events + 2 <= 12 && chance(0.08) && step(hour, 5 * day)) {
                add(event_kind::reopened, requester, false, [](ticket_event& e) { e.body = "Geht leider wieder nicht."; });
                if (step(hour, 2 * day))
                    add(event_kind::resolved, manager, true, [](ticket_event& e) { e.body = "Gerät getauscht."; });
            }
            if (events < max_events && t.state == status::resolved && step(day, 14 * day))
                add(event_kind::closed, requester, false, none);
        } while (false);
        while (events < 3 && step(hour, day))  // at least 3 events where time allows
            add(event_kind::internal_note, manager, true, [](ticket_event& e) { e.body = "Nachgefragt."; });
        // What the server does once the reopen window has passed (close_expired_resolutions): a system close.
        if (t.state == status::resolved && at + config.reopen_window_days * day < now) {
            at += config.reopen_window_days * day;
            add(event_kind::closed, 0, false, [](ticket_event& e) {
                e.body = "Automatisch geschlossen: Lösung nicht innerhalb der Frist beanstandet.";
            });
        }
        events_total += static_cast<std::size_t>(events);
        ++final_status[std::string(to_string(t.state))];
    }
    tx->commit();
    note_sla_settings(db, sla);  // every projection was written with this config: serve need not recompute
    const double generate_s = seconds_since(started);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::string statuses;
    for (const auto& [k, v] : final_status) statuses += fmt::format(" {}={}", k, v);
    fmt::print("generated {} tickets with {} events ({:.1f} per ticket) in {:.1f} s ({:.0f} tickets/s); "
               "checkpoint {:.1f} s; final status:{}\n",
               opt.tickets, events_total, static_cast<double>(events_total) / static_cast<double>(opt.tickets),
               generate_s, static_cast<double>(opt.tickets) / generate_s, seconds_since(started) - generate_s, statuses);
    return 0;
}
