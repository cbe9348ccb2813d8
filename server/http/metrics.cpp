#include "server/http/metrics.hpp"

#include "server/http/log.hpp"
#include "server/mail/mail_intake.hpp"
#include "storage/board_repository.hpp"
#include "storage/mail_repository.hpp"

#include <fmt/format.h>

namespace campusdesk {
namespace {

struct scrape_reads {
    std::size_t mail_pending = 0;
    std::size_t mail_undeliverable = 0;
    std::shared_ptr<const open_loads> open;
};

// A label value in the text format: backslash, double quote and line feed escaped.
std::string label_value(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\' || c == '"') out += '\\';
        out += c == '\n' ? std::string_view("\\n") : std::string_view(&c, 1);
    }
    return out;
}

void add_metric(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <class T>
void add_single(std::string& out, std::string_view name, std::string_view type, std::string_view help, T value) {
    add_metric(out, name, type, help);
    out += fmt::format("{} {}\n", name, value);
}

// One line per campus manager of the directory (zeros included, so that a manager's series never disappears),
// then any former manager who still has open tickets.
void add_manager_gauges(std::string& out, const app& a, const std::vector<manager_load>& loads) {
    struct row {
        std::int64_t id;
        std::string login;
        manager_load load;
    };
    std::vector<row> rows;
    const auto& dir = a.dir.current();
    for (const auto& m : dir.managers) rows.push_back({m.id, m.login, {}});
    for (const auto& load : loads) {
        auto it = std::find_if(rows.begin(), rows.end(), [&](const row& r) { return r.id == load.manager_id; });
        if (it == rows.end()) {
            const auto* former = dir.manager(load.manager_id);
            it = rows.insert(rows.end(), row{load.manager_id, former ? former->login : std::string(), {}});
        }
        it->load = load;
    }
    const struct {
        std::string_view name, help;
        int manager_load::*field;
    } gauges[] = {
        {"campusdesk_tickets_open", "Open tickets assigned to the campus manager.", &manager_load::open},
        {"campusdesk_tickets_at_risk", "Open tickets of the campus manager at risk of missing their SLA.",
         &manager_load::at_risk},
        {"campusdesk_tickets_breached", "Open tickets of the campus manager past their SLA.", &manager_load::breached},
    };
    for (const auto& g : gauges) {
        add_metric(out, g.name, "gauge", g.help);
        for (const auto& r : rows)
            out += fmt::format("{}{{manager_id=\"{}\",manager=\"{}\"}} {}\n", g.name, r.id, label_value(r.login),
                               r.load.*g.field);
    }
}

} // namespace

net::awaitable<std::string> metrics_text(app& a) {
    const time_ms now = now_ms();
    const auto reads = co_await a.storage->read([&](SQLite::Database& db) {
        return scrape_reads{count_pending(db), count_undeliverable(db), a.open_tickets.get(db, a.calendar, now, 0)};
    });
    const auto& loads = reads.open->managers;

    const auto& m = a.metrics;
    std::string out;
    add_single(out, "campusdesk_requests_total", "counter", "HTTP requests handled.", m.requests.load());
    add_single(out, "campusdesk_responses_4xx_total", "counter", "Answers with a 4xx status.", m.responses_4xx.load());
    add_single(out, "campusdesk_responses_5xx_total", "counter", "Answers with a 5xx status.", m.responses_5xx.load());
    m.routes.write(out);
    add_single(out, "campusdesk_tickets_created_total", "counter", "Tickets filed since start.",
               m.tickets_created.load());
    add_single(out, "campusdesk_reader_queue_waiting", "gauge",
               "Requests and reads waiting for a reader thread.", a.storage->waiting_for_reader());
    add_single(out, "campusdesk_write_queue_waiting", "gauge", "Write commands waiting for the writer.",
               a.storage->writer().waiting());
    add_single(out, "campusdesk_write_batches_total", "counter", "Group-commit transactions.",
               a.storage->writer().batches_committed());
    add_single(out, "campusdesk_live_streams_open", "gauge", "Open live-update streams (boards and queues).",
               a.live.open_streams());
    add_metric(out, "campusdesk_security_events_total", "counter",
               "Security events logged (logins, throttling, revocations, refusals).");
    for (std::size_t i = 0; i < static_cast<std::size_t>(security_event::count_); ++i) {
        const auto event = static_cast<security_event>(i);
        out += fmt::format("campusdesk_security_events_total{{event=\"{}\"}} {}\n", to_string(event),
                           security_event_count(event));
    }
    add_metric(out, "campusdesk_mail_received_total", "counter",
               "Mails taken from the support mailbox since start, by what they became.");
    for (auto o : {mail_outcome::ticket, mail_outcome::reply, mail_outcome::triage, mail_outcome::ignored,
                   mail_outcome::failed})
        out += fmt::format("campusdesk_mail_received_total{{outcome=\"{}\"}} {}\n", to_string(o), mail_taken_count(o));
    add_single(out, "campusdesk_password_hashes_waiting", "gauge", "Logins waiting for the password hashing pool.",
               a.hasher.waiting());
    add_single(out, "campusdesk_password_hashes_refused_total", "counter", "Logins refused because the pool was full.",
               a.hasher.refused());
    add_single(out, "campusdesk_mail_queued_total", "counter", "Notifications written to the outbox since start.",
               m.mail_queued.load());
    add_single(out, "campusdesk_mail_sent_total", "counter", "Notifications the SMTP server accepted since start.",
               m.mail_sent.load());
    add_single(out, "campusdesk_mail_failed_total", "counter",
               "Delivery attempts that failed since start (each is retried or given up).", m.mail_failed.load());
    add_single(out, "campusdesk_mail_undeliverable_total", "counter", "Notifications given up on since start.",
               m.mail_undeliverable.load());
    add_single(out, "campusdesk_mail_pending", "gauge", "Notifications waiting in the outbox.", reads.mail_pending);
    add_single(out, "campusdesk_mail_undeliverable", "gauge",
               "Notifications given up on, as the help desk's list shows them.", reads.mail_undeliverable);
    add_manager_gauges(out, a, loads);
    co_return out;
}

} // namespace campusdesk
