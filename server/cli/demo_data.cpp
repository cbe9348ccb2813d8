#include "server/cli/demo_data.hpp"

#include "core/local_time.hpp"
#include "core/routing.hpp"
#include "server/accounts/credentials.hpp"
#include "server/cli/demo_inventory.hpp"
#include "storage/device_repository.hpp"
#include "storage/maintenance_repository.hpp"
#include "storage/user_repository.hpp"

#include <fmt/format.h>

#include <array>
#include <map>
#include <random>

namespace campusdesk {
namespace {

constexpr std::array first_names{"Anna", "Jonas", "Petra", "Mehmet", "Sabine", "Lukas", "Aylin", "Thomas",
                                 "Katrin", "Jan", "Miriam", "Stefan", "Elif", "Michael", "Julia", "Dirk",
                                 "Sandra", "Tobias", "Nina", "Frank"};
constexpr std::array last_names{"Schulte", "Becker", "Yilmaz", "Hoffmann", "Krüger", "Wagner", "Kowalski",
                                "Schmitz", "Neumann", "Özdemir", "Brinkmann", "Hellweg", "Lange", "Fischer",
                                "Bergmann", "Wolff", "Kaya", "Richter", "Sommer", "Vogt"};

struct sample {
    const char* category;
    const char* title;
    const char* description;
    priority prio;
};

constexpr std::array samples{
    sample{"presentation", "Beamer zeigt kein Bild", "Der Beamer geht an, zeigt aber nur 'Kein Signal', egal welches Kabel.", priority::high},
    sample{"presentation", "Digitale Tafel reagiert nicht auf Stift", "Das Board zeigt das Bild, aber der Stift wird nicht erkannt.", priority::normal},
    sample{"network", "Kein WLAN im ganzen Gebäude", "Seit der ersten Stunde hat kein Gerät im Haus WLAN. Unterricht mit iPads unmöglich.", priority::critical},
    sample{"network", "WLAN im Raum sehr langsam", "Videos laden nicht, Seiten brauchen Minuten.", priority::normal},
    sample{"ipad", "iPad-Koffer lädt nicht", "Im iPad-Koffer 2 laden die Geräte über Nacht nicht mehr.", priority::high},
    sample{"ipad", "iPad gesperrt (Code vergessen)", "Ein Schüler-iPad ist gesperrt und zeigt 'iPad nicht verfügbar'.", priority::normal},
    sample{"notebook", "Lehrer-Notebook startet nicht", "Das Notebook bleibt beim Hersteller-Logo hängen.", priority::normal},
    sample{"pc", "PC im Computerraum defekt", "PC 7 im Informatikraum startet nicht mehr, Lüfter laut.", priority::low},
    sample{"printer", "Drucker im Lehrerzimmer druckt nicht", "Druckaufträge bleiben in der Warteschlange hängen.", priority::normal},
    sample{"software", "Lernsoftware lässt sich nicht installieren", "Wir brauchen die Mathe-Software für die 5. Klassen.", priority::low},
    sample{"account", "Passwort für LOGINEO zurücksetzen", "Kollegin kommt nicht mehr in LOGINEO NRW.", priority::normal},
    sample{"account", "Neue Kollegin braucht Zugang", "Ab Montag neue Referendarin, bitte Konto anlegen.", priority::low},
    sample{"other", "Dokumentenkamera fehlt Kabel", "Das USB-Kabel der Dokumentenkamera ist verschwunden.", priority::low},
};

constexpr std::array rooms{"A 0.12", "A 1.04", "B 1.12", "B 2.03", "Lehrerzimmer", "Sekretariat", "Aula",
                           "Informatikraum", "NW 1", "Bibliothek"};

} // namespace

bool load_demo_data(app& a) {
    const bool empty = a.storage->writer().run([](SQLite::Database& db) { return count_users(db) == 0; });
    if (!empty) return false;
    // Every demo account shares the password "demo"; one hash serves them all.
    const std::string demo_hash = hash_password("demo");
    std::mt19937 rng(20261123);
    auto pick = [&](const auto& list) -> const auto& { return list[std::uniform_int_distribution<std::size_t>(0, list.size() - 1)(rng)]; };
    const time_ms now = now_ms();

    a.storage->writer().run([&](SQLite::Database& db) {
        auto add = [&](user u, const std::string& email) {
            u.password_hash = demo_hash;
            return insert_user(db, u, now, email);
        };
        // Addresses of the example domain, so that the demo with mail (docs/mail.md) shows every notification.
        add({0, "admin", "Administration Schulverwaltung", role::admin, "", 0, "", false, {}}, "admin@schulen.example.de");
        add({0, "dispatch1", "Help-Desk Ines Marx", role::dispatcher, "", 0, "", false, {}}, "dispatch1@schulen.example.de");
        add({0, "dispatch2", "Help-Desk Oliver Brandt", role::dispatcher, "", 0, "", false, {}},
            "dispatch2@schulen.example.de");
        for (const auto& m : a.dir.current().managers) add({0, m.login, m.name, role::campus_manager, "", m.id, "", false, {}}, "");
        for (const auto& s : a.dir.current().schools)
            add({0, "teacher-" + s.number, fmt::format("{} {}", pick(first_names), pick(last_names)), role::teacher,
                 s.number, 0, "", false, {}},
                fmt::format("teacher-{}@schulen.example.de", s.number));
    });

    // The inventory (issue 18): about 6,000 iPads and 1,500 other devices over the schools, a fraction of a city's
    // (tests/bench's generator makes the full 90,000), written in one statement per device on the first start only.
    std::vector<inventory_school> inventory_schools;
    for (const auto& s : a.dir.current().schools) inventory_schools.push_back({s.number, s.kind});
    const auto today = local_date_of(now, a.calendar.zone());
    std::map<std::pair<std::string, device_kind>, std::vector<device>> devices_by_school_kind;
    std::vector<device> troublesome;
    // Devices draw from a generator of their own, so that the demo's accounts and tickets stay as they were.
    std::mt19937 device_rng(18);
    a.storage->writer().run([&](SQLite::Database& db) {
        device_import_plan plan;
        plan.added = generate_inventory(inventory_schools, 6000, 1500, today, device_rng);
        apply_device_import(db, plan, now);
        for (auto& d : load_all_devices(db)) devices_by_school_kind[{d.school_number, d.kind}].push_back(std::move(d));
    });
    // A few maintenance plans (issue 18), begun weeks ago, so that the visit plan shows due tasks beside the tickets:
    // the tasks come from the daily generation at start-up (docs/maintenance.md).
    a.storage->writer().run([&](SQLite::Database& db) {
        const auto by = find_user_by_login(db, "dispatch1");
        const auto zone = a.calendar.zone();
        constexpr time_ms days = 24LL * 3600 * 1000;
        const auto& schools = a.dir.current().schools;
        const std::string first_school = schools.empty() ? std::string() : schools.front().number;
        const std::vector<maintenance_plan> plans{
            {0, "Digitale Tafeln prüfen", "Kalibrierung, Stifte, Firmware-Stand; Mängel als Ticket melden.", "",
             device_kind::digital_board, maintenance_rule::every_school_weeks, 12, "",
             local_date_of(now - 70 * days, zone), true, 0, 0},
            {0, "iPad-Updates vor den Sommerferien", "iPadOS und Apps über das MDM aktualisieren, Akkus prüfen.", "",
             device_kind::ipad, maintenance_rule::before_holidays, 6, "Sommerferien", local_date_of(now, zone), true, 0,
             0},
            {0, "Netzwerkschrank Sichtprüfung", "Lüftung, Verkabelung, USV-Anzeige; Schrank abgeschlossen?",
             first_school, std::nullopt, maintenance_rule::every_school_weeks, 6, "",
             local_date_of(now - 30 * days, zone), true, 0, 0},
        };
        for (auto p : plans) {
            p.created_by = by ? by->id : 0;
            p.created_at = now;
            insert_maintenance_plan(db, p);
        }
        return plans.size();
    });

    // Three devices that keep failing: the board's and the visit plan's problem devices.
    for (auto kind : {device_kind::digital_board, device_kind::ipad, device_kind::printer})
        for (const auto& [key, list] : devices_by_school_kind)
            if (key.second == kind && !list.empty() &&
                std::none_of(troublesome.begin(), troublesome.end(),
                             [&](const device& d) { return d.school_number == key.first; })) {
                troublesome.push_back(list.front());
                break;
            }
    auto device_kind_of = [](const sample& s) -> std::optional<device_kind> {
        const std::string_view category = s.category, title = s.title;
        if (category == "ipad") return device_kind::ipad;
        if (category == "notebook") return device_kind::notebook;
        if (category == "pc") return device_kind::pc;
        if (category == "printer") return device_kind::printer;
        if (category == "presentation") return title.starts_with("Beamer") ? device_kind::projector : device_kind::digital_board;
        if (category == "network" && title.find("Raum") != std::string_view::npos) return device_kind::access_point;
        return std::nullopt;
    };

    // A few hundred tickets over the last 60 days, with the histories a real helpdesk produces.
    constexpr int ticket_count = 300;
    constexpr time_ms day = 24LL * 3600 * 1000;
    constexpr time_ms hour = 3600LL * 1000;
    a.storage->writer().run([&](SQLite::Database& db) {
        const auto absences = load_absences(db);
        for (int i = 0; i < ticket_count; ++i) {
            const auto* school = &pick(a.dir.current().schools);
            const auto* s = &pick(samples);
            // Every 25th ticket is about one of the troublesome devices; about half of the others about a device.
            std::optional<device> about;
            if (i % 25 == 0 && !troublesome.empty()) {
                about = troublesome[static_cast<std::size_t>(i / 25) % troublesome.size()];
                school = a.dir.school(about->school_number);
                for (const auto& candidate : samples)
                    if (device_kind_of(candidate) == about->kind) s = &candidate;
            } else if (const auto kind = device_kind_of(*s);
                       kind && std::uniform_int_distribution<int>(0, 1)(device_rng) == 0) {
                const auto found = devices_by_school_kind.find({school->number, *kind});
                if (found != devices_by_school_kind.end() && !found->second.empty())
                    about = found->second[std::uniform_int_distribution<std::size_t>(0, found->second.size() - 1)(device_rng)];
            }
            const auto teacher = find_user_by_login(db, "teacher-" + school->number);
            // Spread over 60 days, during school hours mostly.
            const time_ms created_at = now - 60 * day + (60 * day * i) / ticket_count +
                                       std::uniform_int_distribution<time_ms>(0, 8 * hour)(rng);
            if (created_at >= now) continue;
            ticket t;
            t.school_number = school->number;
            t.category = s->category;
            t.prio = s->prio;
            t.title = s->title;
            t.description = s->description;
            t.room = pick(rooms);
            t.asset_tag = std::uniform_int_distribution<int>(0, 2)(rng) == 0
                              ? fmt::format("DO-{}-{:06}", school->number.substr(0, 3), i)
                              : "";
            if (about) {
                t.room = about->room;
                t.asset_tag = about->inventory_number;
            }
            t.requester_id = teacher->id;
            t.assignee_id = route_new_ticket(school->manager_id, absences, created_at);
            ticket_event created;
            created.at = created_at;
            created.actor_id = teacher->id;
            t = insert_ticket(db, t, created, local_date_of(created_at, a.calendar.zone()).year, a.sla(), now);
            if (about) link_ticket_device(db, t.id, about->id, created_at, a.config.devices.problem_tickets);
            const auto manager_user = find_user_by_login(db, a.dir.manager(t.assignee_id)->login);
            time_ms at = created_at;
            auto step = [&](time_ms min, time_ms max) {
                at += std::uniform_int_distribution<time_ms>(min, max)(rng);
                return at < now;
            };
            auto event = [&](event_kind kind, std::int64_t actor, bool staff) {
                ticket_event e;
                e.at = at;
                e.actor_id = actor;
                e.by_staff = staff;
                e.kind = kind;
                return e;
            };
            const int fate = std::uniform_int_distribution<int>(0, 9)(rng);
            if (fate == 0 || !step(hour / 4, 2 * day)) continue;  // still new
            auto reply = event(event_kind::public_reply, manager_user->id, true);
            reply.body = "Danke für die Meldung, ich schaue mir das an.";
            t = append_event(db, t, reply, a.sla(), now);
            auto opened = event(event_kind::status_changed, manager_user->id, true);
            opened.to_status = status::open;
            t = append_event(db, t, opened, a.sla(), now);
                        if (fate == 1) {
                auto question = event(event_kind::status_changed, manager_user->id, true);
                question.to_status = status::waiting_on_requester;
                question.body = "Welche Gerätenummer steht auf dem Aufkleber?";
                t = append_event(db, t, question, a.sla(), now);
                continue;
            }
            if (fate == 2 && step(hour, day)) {
                auto escalated = event(event_kind::escalated, manager_user->id, true);
                escalated.partner = a.config.partners.empty() ? "" : a.config.partners.front().id;
                escalated.body = "Störung liegt beim Anbieter, Ticket dort eröffnet.";
                t = append_event(db, t, escalated, a.sla(), now);
                continue;
            }
            if (fate <= 3 || !step(hour, 4 * day)) continue;  // in progress
            auto resolved = event(event_kind::resolved, manager_user->id, true);
            resolved.body = "Vor Ort behoben.";
            t = append_event(db, t, resolved, a.sla(), now);
            if (fate >= 7 && step(hour, 3 * day))
                append_event(db, t, event(event_kind::closed, teacher->id, false), a.sla(), now);
        }
    });
    return true;
}

} // namespace campusdesk
