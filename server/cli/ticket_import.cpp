#include "server/cli/ticket_import.hpp"

#include "storage/mail_repository.hpp"

#include "core/local_time.hpp"
#include "core/text.hpp"
#include "core/ticket_rules.hpp"
#include "server/app.hpp"
#include "server/cli/cli_options.hpp"
#include "storage/directory_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iostream>
#include <map>

namespace campusdesk {

namespace json = boost::json;

std::string format_import_error(const import_error& e) {
    return fmt::format("line {}: {}: {}", e.line, e.field, e.message);
}

namespace {

// A line is refused: thrown inside the checks of one line, caught per line.
struct refusal {
    import_error error;
};

constexpr std::size_t max_line_bytes = 8 * 1024 * 1024;

constexpr std::array<std::string_view, 11> ticket_fields{"number", "school_number", "category", "priority", "title",
                                                         "description", "room", "asset_tag", "requester_login",
                                                         "requester_email", "events"};
constexpr std::array<std::string_view, 8> event_fields{"at",     "kind",     "actor_login",   "body",
                                                       "status", "priority", "manager_login", "partner"};

struct known_user {
    std::int64_t id = 0;
    role who = role::teacher;
};

// What the checks need from the database, read once before the file.
struct directory_snapshot {
    std::map<std::string, known_user, std::less<>> users;
    std::map<std::string, std::int64_t, std::less<>> managers;        // login -> managers.id, former ones too
    std::map<std::string, std::int64_t, std::less<>> school_managers; // school number -> managers.id, current only
};

directory_snapshot load_snapshot(SQLite::Database& db) {
    directory_snapshot s;
    for (auto& u : load_user_roles(db)) s.users[std::move(u.login)] = {u.id, u.who};
    for (const auto& m : load_managers(db)) s.managers[m.login] = m.id;
    for (const auto& school : load_schools(db))
        if (school.active) s.school_managers[school.number] = school.manager_id;
    return s;
}

struct parsed_ticket {
    int line = 0;
    ticket t;
    std::vector<ticket_event> events;  // events[0] is `created`
    std::string requester_email;       // optional (docs/mail.md): the requester's address if they have none yet
};

// The checks of one line; every failure throws a refusal naming the field.
class line_checker {
public:
    line_checker(int line, const app_config& config, const directory_snapshot& dir, time_ms now)
        : line_(line), config_(config), dir_(dir), now_(now) {}

    [[noreturn]] void refuse(std::string field, std::string message) const {
        throw refusal{{line_, std::move(field), std::move(message)}};
    }

    parsed_ticket check(std::string_view text) {
        boost::system::error_code ec;
        auto value = json::parse(text, ec);
        if (ec) refuse("json", fmt::format("not valid JSON ({})", ec.message()));
        if (!value.is_object()) refuse("json", "expected one JSON object per line");
        const auto& o = value.as_object();
        reject_unknown(o, ticket_fields, "");

        parsed_ticket p;
        p.line = line_;
        auto& t = p.t;
        t.number = required_string(o, "number", "number");
        // The rule the server's own numbers follow (core/ticket_rules.hpp): canonical, sequence 1 to 9,999,999,999.
        if (const auto problem = ticket_number_problem(t.number); !problem.empty())
            refuse("number", fmt::format("\"{}\": {}", t.number, problem));
        t.school_number = required_string(o, "school_number", "school_number");
        if (!dir_.school_managers.contains(t.school_number))
            refuse("school_number", fmt::format("unknown school \"{}\"", t.school_number));
        t.category = required_string(o, "category", "category");
        if (!config_.has_category(t.category)) refuse("category", fmt::format("unknown category \"{}\"", t.category));
        const auto prio_text = required_string(o, "priority", "priority");
        const auto prio = parse_priority(prio_text);
        if (!prio) refuse("priority", fmt::format("unknown priority \"{}\"", prio_text));
        t.prio = *prio;
        const auto& l = config_.limits;
        t.title = required_string(o, "title", "title");
        if (is_blank(t.title)) refuse("title", "must not be empty");
        check_text("title", t.title, l.title_max, text_lines::single);
        t.description = optional_string(o, "description", "description");
        check_text("description", t.description, l.description_max, text_lines::multi);
        t.room = optional_string(o, "room", "room");
        check_text("room", t.room, l.room_max, text_lines::single);
        t.asset_tag = optional_string(o, "asset_tag", "asset_tag");
        check_text("asset_tag", t.asset_tag, l.asset_tag_max, text_lines::single);
        const auto requester = required_string(o, "requester_login", "requester_login");
        requester_ = user_of("requester_login", requester);
        t.requester_id = requester_.id;
        p.requester_email = optional_string(o, "requester_email", "requester_email");
        if (!p.requester_email.empty() && (p.requester_email.size() > 254 || !is_email(p.requester_email)))
            refuse("requester_email", fmt::format("\"{}\" is not an e-mail address", p.requester_email));
        t.assignee_id = dir_.school_managers.at(t.school_number);

        auto events_it = o.find("events");
        if (events_it == o.end() || events_it->value().is_null()) refuse("events", "is required");
        if (!events_it->value().is_array()) refuse("events", "must be an array");
        const auto& events = events_it->value().as_array();
        if (events.empty()) refuse("events", "must hold at least the created event");
        status state = status::new_;
        for (std::size_t i = 0; i < events.size(); ++i)
            p.events.push_back(check_event(events[i], i, t, p.events, state));
        return p;
    }

private:
    ticket_event check_event(const json::value& v, std::size_t i, const ticket& t,
                             const std::vector<ticket_event>& earlier, status& state) {
        const auto name = [&](std::string_view field) {
            return field.empty() ? fmt::format("events[{}]", i) : fmt::format("events[{}].{}", i, field);
        };
        if (!v.is_object()) refuse(name(""), "must be an object");
        const auto& o = v.as_object();
        reject_unknown(o, event_fields, name(""));

        ticket_event e;
        const auto at_text = required_string(o, "at", name("at"));
        const auto at = parse_iso8601(at_text);
        if (!at) refuse(name("at"), fmt::format("\"{}\" is not an ISO 8601 time with offset", at_text));
        if (*at > now_) refuse(name("at"), fmt::format("{} lies in the future", at_text));
        e.at = *at;
        const auto kind_text = required_string(o, "kind", name("kind"));
        const auto kind = parse_event_kind(kind_text);
        if (!kind) refuse(name("kind"), fmt::format("unknown event kind \"{}\"", kind_text));
        e.kind = *kind;
        if (i == 0 && e.kind != event_kind::created) refuse(name("kind"), "the first event must be \"created\"");
        if (i > 0 && e.kind == event_kind::created) refuse(name("kind"), "only the first event may be \"created\"");
        if (i > 0 && e.at < earlier.front().at) refuse(name("at"), "lies before the created event");
        if (i > 0 && e.at < earlier.back().at)
            refuse(name("at"), fmt::format("lies before events[{}]: events must be in time order", i - 1));

        if (auto actor = optional_string(o, "actor_login", name("actor_login")); !actor.empty()) {
            const auto u = user_of(name("actor_login"), actor);
            e.actor_id = u.id;
            e.by_staff = is_staff(u.who);
        } else if (e.kind == event_kind::created) {
            e.actor_id = requester_.id;  // filed by the requester unless someone else is named
            e.by_staff = is_staff(requester_.who);
        } else {
            e.actor_id = 0;  // the system, which counts as staff (SLA.md §3: e.g. an automatic close)
            e.by_staff = true;
        }
        e.body = optional_string(o, "body", name("body"));
        check_text(name("body"), e.body, std::max(config_.limits.reply_max, config_.limits.description_max),
                   text_lines::multi);

        // Kind-specific fields: required for their kind, refused on any other.
        auto only_for = [&](std::string_view field, std::initializer_list<event_kind> kinds) {
            const bool present = o.contains(field) && !o.at(field).is_null();
            const bool allowed = std::find(kinds.begin(), kinds.end(), e.kind) != kinds.end();
            if (present && !allowed) refuse(name(field), fmt::format("is not allowed for kind \"{}\"", to_string(e.kind)));
            return present;
        };
        if (only_for("status", {event_kind::status_changed}) || e.kind == event_kind::status_changed) {
            const auto text = required_string(o, "status", name("status"));
            e.to_status = parse_status(text);
            if (!e.to_status) refuse(name("status"), fmt::format("unknown status \"{}\"", text));
        }
        if (only_for("priority", {event_kind::created, event_kind::priority_changed}) ||
            e.kind == event_kind::priority_changed) {
            const auto text = required_string(o, "priority", name("priority"));
            e.to_priority = parse_priority(text);
            if (!e.to_priority) refuse(name("priority"), fmt::format("unknown priority \"{}\"", text));
            if (e.kind == event_kind::created && *e.to_priority != t.prio)
                refuse(name("priority"), fmt::format("\"{}\" differs from the ticket's priority \"{}\"", text,
                                                     to_string(t.prio)));
        }
        if (e.kind == event_kind::created) e.to_priority = t.prio;
        if (only_for("manager_login", {event_kind::assigned}) || e.kind == event_kind::assigned) {
            const auto login = required_string(o, "manager_login", name("manager_login"));
            auto it = dir_.managers.find(login);
            if (it == dir_.managers.end())
                refuse(name("manager_login"), fmt::format("\"{}\" is no campus manager of managers.csv", login));
            e.manager_id = it->second;
        }
        if (only_for("partner", {event_kind::escalated}) || e.kind == event_kind::escalated) {
            e.partner = required_string(o, "partner", name("partner"));
            if (!config_.find_partner(e.partner)) refuse(name("partner"), fmt::format("unknown partner \"{}\"", e.partner));
        }

        // The workflow of SLA.md §3, so that imported histories are ones campusdesk itself could have recorded.
        if (const auto to = status_set_by(e); to && i > 0) {
            const auto field = e.kind == event_kind::status_changed ? name("status") : name("kind");
            if (e.kind == event_kind::reopened) {
                if (state != status::resolved)
                    refuse(field, fmt::format("only a resolved ticket can be reopened (status is {})", to_string(state)));
            } else if (state == status::resolved && *to == status::open) {
                refuse(field, "a resolved ticket goes back to open with kind \"reopened\"");
            } else if (e.kind == event_kind::escalated && state == status::waiting_on_third_party) {
                // escalating again (to another partner) keeps the status
            } else if (!transition_allowed(state, *to)) {
                refuse(field, fmt::format("status {} cannot change to {}", to_string(state), to_string(*to)));
            }
            state = *to;
        }
        return e;
    }

    template <std::size_t N>
    void reject_unknown(const json::object& o, const std::array<std::string_view, N>& allowed,
                        const std::string& prefix) const {
        for (const auto& [key, value] : o)
            if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end())
                refuse(prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, std::string_view(key)),
                       "unknown field");
    }

    std::string required_string(const json::object& o, std::string_view key, const std::string& field) const {
        auto it = o.find(key);
        if (it == o.end() || it->value().is_null()) refuse(field, "is required");
        if (!it->value().is_string()) refuse(field, "must be a string");
        return std::string(it->value().as_string());
    }

    std::string optional_string(const json::object& o, std::string_view key, const std::string& field) const {
        auto it = o.find(key);
        if (it == o.end() || it->value().is_null()) return {};
        if (!it->value().is_string()) refuse(field, "must be a string");
        return std::string(it->value().as_string());
    }

    // The text rules of tickets filed through the API (core validate_draft, the action planners): lengths in
    // characters, and no control characters but line breaks and tabs in multi-line texts.
    void check_text(const std::string& field, const std::string& value, std::size_t max, text_lines lines) const {
        if (utf8_length(value) > max) refuse(field, fmt::format("is too long (at most {} characters)", max));
        if (has_control_characters(value, lines))
            refuse(field, lines == text_lines::single ? "must not hold control characters"
                                                      : "must not hold control characters other than line breaks and tabs");
    }

    known_user user_of(const std::string& field, const std::string& login) const {
        auto it = dir_.users.find(login);
        if (it == dir_.users.end()) refuse(field, fmt::format("unknown user \"{}\"", login));
        return it->second;
    }

    int line_;
    const app_config& config_;
    const directory_snapshot& dir_;
    time_ms now_;
    known_user requester_;
};

} // namespace

std::variant<import_summary, import_error> import_tickets(std::istream& in, write_queue& writer,
                                                          const app_config& config,
                                                          const business_calendar& calendar, time_ms now) {
    // Schools and managers as in the config (synced into the tables), so that events can name managers by their id.
    const sla_context sla{config.sla, calendar};
    const auto dir = writer.run([&](SQLite::Database& db) {
        log_directory_changes(sync_directory(db, config, sla, now));
        return load_snapshot(db);
    });

    // 1. Every line, in order, until the first problem.
    std::vector<parsed_ticket> tickets;
    std::map<std::string, int, std::less<>> line_of_number;
    std::optional<import_error> first_error;
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
        if (line == 1 && text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
        if (!text.empty() && text.back() == '\r') text.pop_back();
        if (text.find_first_not_of(" \t") == std::string::npos) continue;
        if (text.size() > max_line_bytes) {
            first_error = import_error{line, "json", fmt::format("line longer than {} bytes", max_line_bytes)};
            break;
        }
        try {
            auto p = line_checker(line, config, dir, now).check(text);
            if (auto [it, fresh] = line_of_number.emplace(p.t.number, line); !fresh)
                throw refusal{{line, "number", fmt::format("{} appears twice (first on line {})", p.t.number, it->second)}};
            tickets.push_back(std::move(p));
        } catch (const refusal& r) {
            first_error = r.error;
            break;
        }
    }
    if (in.bad()) throw std::runtime_error("reading the import file failed");

    // 2. Numbers already taken, and then (if all is well) the import itself: one transaction, all or nothing.
    return writer.run([&](SQLite::Database& db) -> std::variant<import_summary, import_error> {
        std::vector<std::string> numbers;
        numbers.reserve(tickets.size());
        for (const auto& p : tickets) numbers.push_back(p.t.number);
        const auto taken = taken_ticket_numbers(db, numbers);
        for (const auto& p : tickets)
            if (taken.contains(p.t.number)) return import_error{p.line, "number", fmt::format("{} exists already", p.t.number)};
        if (first_error) return *first_error;
        import_summary summary;
        for (const auto& p : tickets) {
            const int year = local_date_of(p.events.front().at, calendar.zone()).year;
            ticket stored = insert_ticket(db, p.t, p.events.front(), year, sla, now);
            for (std::size_t i = 1; i < p.events.size(); ++i) stored = append_event(db, stored, p.events[i], sla, now);
            // An import never mails (old history is no news); it only gives requesters an address to mail to later.
            if (!p.requester_email.empty()) set_email_if_none(db, p.t.requester_id, p.requester_email);
            ++summary.tickets;
            summary.events += p.events.size();
        }
        if (summary.tickets > 0)
            append_audit(db, now, 0, "import", fmt::format("{} tickets", summary.tickets),
                         fmt::format("{} events", summary.events));
        return summary;
    });
}

int run_import(int argc, char** argv, int first) {
    return run_cli_command([&] {
        const auto args = parse_cli_options(argc, argv, first, {}, {"config", "data", "tenant"});
        if (args.positional.size() != 1) throw cli_usage_error("import: expected exactly one FILE.jsonl");
        const auto& path = args.positional.front();
        const auto config = load_cli_config(args, std::cerr);
        std::ifstream in(path, std::ios::binary);
        if (!in) throw cli_usage_error(fmt::format("import: cannot read {}", path));
        const business_calendar calendar(config.calendar);
        const auto file = cli_database_file(args, config);
        std::filesystem::create_directories(file.parent_path());
        write_queue writer(file, 16);
        const auto result = import_tickets(in, writer, config, calendar, now_ms());
        writer.stop();
        if (const auto* error = std::get_if<import_error>(&result)) {
            std::cerr << fmt::format("campusdesk: {}: {} (nothing imported)", path, format_import_error(*error)) << '\n';
            return 2;
        }
        const auto& s = std::get<import_summary>(result);
        std::cout << fmt::format("imported {} tickets with {} events from {}", s.tickets, s.events, path) << std::endl;
        return 0;
    });
}

} // namespace campusdesk
