#include "server/mail/notification_mail.hpp"

#include "core/local_time.hpp"
#include "core/text.hpp"
#include "server/mail/incoming_mail.hpp"
#include "server/mail/message_ids.hpp"
#include "storage/mail_received_repository.hpp"
#include "server/views/labels.hpp"
#include "storage/problem_repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace campusdesk {
namespace {

struct kind_words {
    mail_kind kind;
    std::string_view subject_de, subject_en;    // after "[CD-…] ", before the title
    std::string_view headline_de, headline_en;  // the first line of the mail
};

constexpr std::array<kind_words, 16> words{{
    {mail_kind::question, "Rückfrage", "Question", "Zu Ihrem Ticket gibt es eine Rückfrage. Bitte antworten Sie, damit es weitergehen kann.",
     "There is a question about your ticket. Please answer so that work can go on."},
    {mail_kind::staff_reply, "Neue Antwort", "New reply", "Zu Ihrem Ticket gibt es eine neue Antwort.",
     "There is a new reply to your ticket."},
    {mail_kind::resolved, "Gelöst", "Resolved", "Ihr Ticket ist gelöst. Bitte bestätigen Sie die Lösung oder öffnen Sie das Ticket wieder, falls noch etwas nicht funktioniert.",
     "Your ticket has been resolved. Please confirm the solution, or reopen the ticket if something still does not work."},
    {mail_kind::closed, "Geschlossen", "Closed", "Ihr Ticket ist geschlossen.", "Your ticket has been closed."},
    {mail_kind::new_ticket, "Neues Ticket", "New ticket", "An einer Ihrer Schulen wurde ein neues Ticket gemeldet.",
     "A new ticket has been filed at one of your schools."},
    {mail_kind::assigned, "Ihnen zugewiesen", "Assigned to you", "Dieses Ticket wurde Ihnen zugewiesen.",
     "This ticket has been assigned to you."},
    {mail_kind::requester_reply, "Antwort der Lehrkraft", "Reply from the teacher",
     "Die Lehrkraft hat auf das Ticket geantwortet.", "The teacher has replied to the ticket."},
    {mail_kind::reopened, "Wieder geöffnet", "Reopened", "Die Lehrkraft hat das Ticket wieder geöffnet.",
     "The teacher has reopened the ticket."},
    {mail_kind::sla_warning, "Frist bald erreicht", "Deadline near",
     "Drei Viertel der Frist dieses Tickets sind verbraucht.", "Three quarters of this ticket's deadline have passed."},
    {mail_kind::sla_breach, "Frist überschritten", "Deadline missed", "Die Frist dieses Tickets ist überschritten.",
     "This ticket's deadline has passed."},
    {mail_kind::unseen, "Noch nicht angesehen", "Not yet seen", "Dieses neue Ticket hat noch niemand angesehen.",
     "Nobody has looked at this new ticket yet."},
    {mail_kind::outage, "Möglicher Ausfall", "Possible outage",
     "Mehrere Netzwerk-Tickets einer Schule innerhalb einer Stunde: vielleicht ein Ausfall.",
     "Several network tickets of one school within an hour: possibly an outage."},
    {mail_kind::digest, "Tageszusammenfassung", "Daily digest", "Ihre Meldungen seit der letzten Zusammenfassung:",
     "Your notifications since the last digest:"},
    {mail_kind::test, "Testnachricht von campusdesk", "Test message from campusdesk",
     "Diese Nachricht zeigt, dass campusdesk über den eingestellten SMTP-Server Mail senden kann.",
     "This message shows that campusdesk can send mail through the configured SMTP server."},
    {mail_kind::unknown_sender, "Ihre E-Mail an den IT-Support", "Your e-mail to the IT support",
     "Ihre E-Mail an den IT-Support ist angekommen. Ihre Absenderadresse gehört aber zu keinem Konto, deshalb ist daraus "
     "noch kein Ticket geworden.",
     "Your e-mail to the IT support has arrived, but its sender address belongs to no account, so no ticket has been "
     "made of it yet."},
    {mail_kind::problem_resolved, "Störung behoben", "Problem resolved",
     "Die bekannte Störung, bei der Sie „Ich bin auch betroffen“ gewählt haben, ist behoben. Falls bei Ihnen noch "
     "etwas nicht funktioniert, melden Sie es bitte als neue Störung.",
     "The known problem you said affects you has been resolved. If something still does not work for you, please "
     "report it as a new problem."},
}};

const kind_words& words_of(mail_kind k) {
    return *std::find_if(words.begin(), words.end(), [&](const kind_words& w) { return w.kind == k; });
}

bool english(const std::string& locale) { return locale == "en"; }

std::string_view subject_word(mail_kind k, bool en) { return en ? words_of(k).subject_en : words_of(k).subject_de; }

std::string ticket_url(const app_config& config, const std::string& number) {
    return public_base_url(config) + "/tickets/" + number;
}

std::string preferences_url(const app_config& config) { return public_base_url(config) + "/account#mail"; }

// Text and HTML from the templates of the language, with the frame every mail shares.
void fill(mail_message& m, const mail_context& c, bool en, page_data& d) {
    d.set("preferences_url", preferences_url(c.config));
    const std::string lang = en ? "en" : "de";
    // The mail templates are written per language (de.*, en.*), not marked for the catalog: their German set.
    m.text = c.templates.renderer.render(language::de, lang + ".text", d);
    m.html = c.templates.renderer.render(language::de, lang + ".html", d);
}

mail_message frame(const mail_context& c, mail_kind kind, std::int64_t outbox_id, std::int64_t ticket_id) {
    const auto domain = mail_domain(c.config.mail.from);
    mail_message m;
    m.from = c.config.mail.from;
    m.message_id = notification_message_id(outbox_id, ticket_id, domain);
    if (ticket_id != 0) m.thread_id = ticket_thread_id(ticket_id, domain);
    // A test mail and an answer to an unknown sender go to an address without an account: no preferences there.
    if (kind != mail_kind::test && kind != mail_kind::unknown_sender) m.unsubscribe_url = preferences_url(c.config);
    return m;
}

page_data ticket_data(const mail_context& c, const ticket& t) {
    page_data d;
    d.set("number", t.number);
    d.set("title", t.title);
    const auto* school = c.dir.school(t.school_number);
    d.set("school", school ? fmt::format("{} ({})", school->name, t.school_number) : t.school_number);
    d.set("status", std::string(status_label(t.state)));
    d.set("url", ticket_url(c.config, t.number));
    return d;
}

} // namespace

mail_templates load_mail_templates(const std::filesystem::path& templates_dir) {
    mail_templates t;
    t.renderer.load(templates_dir / "mail");
    return t;
}

std::string public_base_url(const app_config& config) {
    std::string base = config.public_url.empty() ? "http://" + config.listen : config.public_url;
    while (base.ends_with('/')) base.pop_back();
    return base;
}

rendered_mail render_notification(const mail_context& c, SQLite::Database& db, const outbox_row& row) {
    if (row.kind == mail_kind::test) return {render_test_mail(c, row.address, row.id), ""};
    if (row.kind == mail_kind::unknown_sender) return {render_unknown_sender_answer(c, db, row), ""};
    const auto recipient = find_user(db, row.recipient_id);
    const auto settings = load_mail_settings(db, row.recipient_id);
    if (!recipient || !settings || recipient->disabled) return {std::nullopt, "Empfänger gibt es nicht mehr"};
    if (settings->email.empty()) return {std::nullopt, "Empfänger hat keine Mail-Adresse mehr"};
    const bool en = english(settings->locale);
    mail_message m = frame(c, row.kind, row.id, row.ticket_id);
    m.to_name = recipient->name;
    m.to_address = settings->email;
    m.date = now_ms();
    page_data d;
    d.set("name", recipient->name);
    d.set("headline", std::string(en ? words_of(row.kind).headline_en : words_of(row.kind).headline_de));
    d.set(std::string(to_string(row.kind)), true);
    if (row.kind == mail_kind::digest) {
        page_list items;
        for (const auto& item : digest_items(db, row.id)) {
            const auto t = find_ticket_by_id(db, item.ticket_id);
            if (!t) continue;
            page_data i = ticket_data(c, *t);
            i.set("what", std::string(subject_word(item.kind, en)));
            items.push_back(std::move(i));
        }
        if (items.empty()) return {std::nullopt, "Die Zusammenfassung ist leer"};
        m.subject = fmt::format("{}: {}", subject_word(row.kind, en), items.size());
        d.set("items", std::move(items));
        d.set("has_items", true);
        fill(m, c, en, d);
        return {std::move(m), ""};
    }
    if (row.kind == mail_kind::problem_resolved) {
        const auto p = find_problem(db, row.event_seq);
        if (!p) return {std::nullopt, "Die Störung gibt es nicht mehr"};
        page_data pd;
        pd.set("title", p->title);
        pd.set("resolution", p->resolution);
        pd.set("url", public_base_url(c.config) + "/stoerungen/" + std::to_string(p->id));
        d.set("problem", std::move(pd));
        m.subject = fmt::format("{}: {}", subject_word(row.kind, en), p->title);
        fill(m, c, en, d);
        return {std::move(m), ""};
    }
    const auto t = find_ticket_by_id(db, row.ticket_id);
    if (!t) return {std::nullopt, "Das Ticket gibt es nicht mehr"};
    d.set("ticket", ticket_data(c, *t));
    if (row.event_seq != 0) {
        const auto events = load_events(db, t->id);
        const auto e = std::find_if(events.begin(), events.end(), [&](const ticket_event& x) { return x.seq == row.event_seq; });
        if (e != events.end() && !e->body.empty()) {
            d.set("body", e->body);
            d.set("author", load_user_names(db, {e->actor_id})[e->actor_id]);
        }
    }
    if (row.kind == mail_kind::resolved) d.set("reopen_days", std::to_string(c.config.reopen_window_days));
    // An outage concerns the school rather than the ticket that first showed it.
    const auto* school = c.dir.school(t->school_number);
    m.subject = fmt::format("[{}] {}: {}", t->number, subject_word(row.kind, en),
                            row.kind != mail_kind::outage ? t->title : school ? school->name : t->school_number);
    m.reply_to = reply_address_for(c.config.mail.reply_address, c.key, {t->id, recipient->id});
    fill(m, c, en, d);
    return {std::move(m), ""};
}

mail_message render_test_mail(const mail_context& c, const std::string& address, std::int64_t outbox_id) {
    mail_message m = frame(c, mail_kind::test, outbox_id, 0);
    m.to_address = address;
    m.subject = std::string(subject_word(mail_kind::test, false));
    m.date = now_ms();
    page_data d;
    d.set("headline", std::string(words_of(mail_kind::test).headline_de));
    d.set("test", true);
    d.set("no_account", true);
    fill(m, c, false, d);
    return m;
}

mail_message render_unknown_sender_answer(const mail_context& c, SQLite::Database& db, const outbox_row& row) {
    mail_message m = frame(c, mail_kind::unknown_sender, row.id, 0);
    m.to_address = row.address;
    const auto answered = find_received_mail(db, row.event_seq);
    const std::string subject = answered ? clean_subject(answered->subject) : std::string();
    m.subject = is_blank(subject) ? std::string(subject_word(mail_kind::unknown_sender, false))
                                  : fmt::format("{}: {}", subject_word(mail_kind::unknown_sender, false), subject);
    m.date = now_ms();
    // RFC 3834 §5: an answer a machine sent in response to a mail.
    m.auto_submitted = "auto-replied";
    // Nobody's language is known: German first, then English, in one mail.
    page_data d;
    d.set("headline", std::string(words_of(mail_kind::unknown_sender).headline_de));
    d.set("headline_en", std::string(words_of(mail_kind::unknown_sender).headline_en));
    d.set("unknown_sender", true);
    d.set("no_account", true);
    d.set("new_ticket_url", public_base_url(c.config) + "/tickets/new");
    fill(m, c, false, d);
    return m;
}

} // namespace campusdesk
