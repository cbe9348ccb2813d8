#include "server/mail/mail_intake.hpp"

#include "core/text.hpp"
#include "server/http/log.hpp"
#include "server/mail/message_ids.hpp"
#include "server/tickets/attachment_handlers.hpp"
#include "storage/attachment_repository.hpp"
#include "storage/mail_repository.hpp"
#include "storage/settings_repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

namespace campusdesk {
namespace {

constexpr std::size_t outcome_count = static_cast<std::size_t>(mail_outcome::discarded) + 1;
std::array<std::atomic<std::uint64_t>, outcome_count> taken_by_outcome{};

// The ticket number in "[CD-2026-000123]" anywhere in a subject.
std::string ticket_number_in(std::string_view subject) {
    for (auto open = subject.find("[CD-"); open != std::string_view::npos; open = subject.find("[CD-", open + 1)) {
        const auto close = subject.find(']', open);
        if (close == std::string_view::npos) break;
        const auto number = subject.substr(open + 1, close - open - 1);
        if (is_valid_ticket_number(number)) return std::string(number);
    }
    return {};
}

// The subject as a ticket title: without answer prefixes and ticket numbers, bounded to the title limit.
std::string title_of(const app& a, const incoming_mail& m) {
    std::string subject = m.subject;
    for (auto number = ticket_number_in(subject); !number.empty(); number = ticket_number_in(subject)) {
        const auto at = subject.find("[" + number + "]");
        subject.erase(at, number.size() + 2);
    }
    auto title = clean_subject(subject);
    if (is_blank(title))
        title = fmt::format("E-Mail von {}", m.from.name.empty() ? m.from.address : m.from.name);
    return utf8_prefix(title, a.config.limits.title_max);
}

// A text bounded to `max` characters; what is cut is said, and the raw mail keeps it.
std::string bounded(std::string text, std::size_t max, bool& cut) {
    constexpr std::string_view note = "\n\n[… gekürzt, die vollständige E-Mail liegt beim IT-Support]";
    if (utf8_length(text) <= max) return text;
    cut = true;
    if (max <= 2 * utf8_length(note)) return utf8_prefix(text, max);  // a tiny limit: no room for the note
    return utf8_prefix(text, max - utf8_length(note)) + std::string(note);
}

// The mail's attachments through the upload checks; what is refused is named in `refused`.
std::vector<received_file> checked_files(const app& a, const incoming_mail& m, std::vector<std::string>& refused) {
    std::vector<received_file> files;
    for (const auto& attachment : m.attachments) {
        const auto name = attachment.filename.empty() ? std::string("anhang") : attachment.filename;
        if (files.size() >= a.config.limits.max_files_per_upload) {
            refused.push_back(fmt::format("„{}“ (mehr als {} Dateien)", name, a.config.limits.max_files_per_upload));
            continue;
        }
        auto file = check_attachment_file(a, attachment.data, name);
        if (auto* error = std::get_if<request_error>(&file)) refused.push_back(error->message);
        else files.push_back(std::move(std::get<received_file>(file)));
    }
    return files;
}

std::string with_refusals(std::string text, const std::vector<std::string>& refused) {
    if (refused.empty()) return text;
    std::string note = "Nicht übernommene Anhänge (die E-Mail liegt beim IT-Support):";
    for (const auto& r : refused) note += "\n- " + r;
    return text.empty() ? note : text + "\n\n" + note;
}

struct decision {
    mail_outcome outcome = mail_outcome::failed;
    std::string reason;
    std::int64_t ticket_id = 0;
    std::string ticket_number;
    bool keep_raw = true;
    bool unknown_sender = false;  // a person's mail from an address that belongs to no account
};

// A new ticket filed by `filer` from the mail.
net::awaitable<decision> open_ticket(app& a, const user& filer, const incoming_mail& m) {
    std::vector<std::string> refused;
    auto files = checked_files(a, m, refused);
    bool cut = false;
    ticket_draft draft;
    draft.school_number = filer.school_number;
    draft.category = a.config.mail.imap.default_category;
    draft.priority = "normal";
    draft.title = title_of(a, m);
    // A new mail's whole text: a forwarded error message or an earlier exchange may be the point of it.
    draft.description = bounded(with_refusals(m.text, refused), a.config.limits.description_max, cut);
    if (auto invalid = check_new_ticket(a, filer, draft))
        co_return decision{mail_outcome::triage, "Ticket nicht möglich: " + invalid->message, 0, {}, true};
    auto stored = co_await store_uploads(a, filer, files);
    auto result = co_await create_ticket(a, filer, draft, std::move(stored));
    if (auto* error = std::get_if<request_error>(&result))
        co_return decision{mail_outcome::triage, "Ticket nicht möglich: " + error->message, 0, {}, true};
    const auto& t = std::get<ticket>(result);
    co_return decision{mail_outcome::ticket, "", t.id, t.number, !refused.empty() || cut};
}

// A public reply by `author` on the ticket.
net::awaitable<decision> add_reply(app& a, const user& author, const ticket& t, const incoming_mail& m) {
    std::vector<std::string> refused;
    auto files = checked_files(a, m, refused);
    bool cut = false;
    std::string text = m.reply_text;
    if (is_blank(text) && !files.empty()) {
        text = "Anhänge per E-Mail:";
        for (const auto& f : files) text += " " + f.filename;
    }
    text = bounded(with_refusals(std::move(text), refused), a.config.limits.reply_max, cut);
    if (is_blank(text))
        co_return decision{mail_outcome::triage, fmt::format("Leere Antwort auf {}", t.number), t.id, t.number, true};
    action_planner plan = [text](const action_context& c) { return plan_reply(c, text, false); };
    auto result = co_await perform_action(a, author, t.number, std::move(plan));
    if (auto* error = std::get_if<request_error>(&result))
        co_return decision{mail_outcome::triage, fmt::format("Antwort auf {} nicht möglich: {}", t.number, error->message),
                           t.id, t.number, true};
    if (!files.empty()) {
        auto stored = co_await store_uploads(a, author, files);
        auto attached = co_await attach_files(a, author, t.number, std::move(stored));
        if (auto* error = std::get_if<request_error>(&attached)) {
            refused.push_back(error->message);
            co_return decision{mail_outcome::reply, "Anhänge nicht angehängt: " + error->message, t.id, t.number, true};
        }
    }
    co_return decision{mail_outcome::reply, "", t.id, t.number, !refused.empty() || cut};
}

struct mail_facts {
    std::optional<user> sender;
    std::optional<ticket> target;
    bool by_token = false;         // the target came from a valid reply token …
    std::int64_t token_user = 0;   // … made for this person
    bool sender_may_reply = false; // the requester, or staff who may see the ticket
};

mail_facts read_facts(app& a, const mail_intake_keys& keys, SQLite::Database& db, const incoming_mail& m) {
    mail_facts f;
    f.sender = find_user_by_email(db, m.from.address);
    if (!a.config.mail.reply_address.empty())
        for (const auto& recipient : m.recipients) {
            const auto token = reply_token_in_address(a.config.mail.reply_address, recipient);
            const auto target = token ? verify_reply_token(keys.reply_key, *token) : std::nullopt;
            if (!target) continue;
            f.target = find_ticket_by_id(db, target->ticket_id);
            f.by_token = f.target.has_value();
            f.token_user = target->user_id;
            break;
        }
    if (!f.target && !keys.own.domain.empty()) {
        std::vector<std::string> ids = m.in_reply_to;
        ids.insert(ids.end(), m.references.rbegin(), m.references.rend());  // the nearest first
        for (const auto& id : ids) {
            const auto own = parse_own_message_id(id, keys.own.domain);
            if (!own || own->ticket_id <= 0) continue;
            if ((f.target = find_ticket_by_id(db, own->ticket_id))) break;
        }
    }
    if (!f.target)
        if (const auto number = ticket_number_in(m.subject); !number.empty()) f.target = find_ticket(db, number);
    if (f.target && f.sender) {
        const auto* school = a.dir.school(f.target->school_number);
        f.sender_may_reply =
            f.sender->id == f.target->requester_id ||
            (is_staff(f.sender->who) && can_see(current_viewer(a, db, *f.sender, now_ms()), *f.target,
                                                school ? school->manager_id : 0, a.config.teachers_see_school_tickets));
    }
    return f;
}

net::awaitable<decision> decide(app& a, const mail_intake_keys& keys, const incoming_mail& m) {
    if (m.kind != sender_kind::person)
        co_return decision{mail_outcome::ignored, fmt::format("{} ({})", to_string(m.kind), m.kind_reason), 0, {}, false};
    auto facts = co_await a.storage->read([&](SQLite::Database& db) { return read_facts(a, keys, db, m); });
    if (facts.target) {
        // The token names the person it was sent to; the mail must come from that person's address (a forwarded
        // notification answered by someone else is not that person's reply).
        const bool token_person = facts.by_token && facts.sender && facts.sender->id == facts.token_user;
        if (token_person || facts.sender_may_reply) co_return co_await add_reply(a, *facts.sender, *facts.target, m);
        co_return decision{mail_outcome::triage,
                           fmt::format("Antwort auf {} von einer Adresse, die dort nicht antworten darf",
                                       facts.target->number),
                           facts.target->id, facts.target->number, true};
    }
    if (!facts.sender) co_return decision{mail_outcome::triage, "Absender unbekannt", 0, {}, true, true};
    if (facts.sender->who != role::teacher)
        co_return decision{mail_outcome::triage, "Kein Ticketbezug, und der Absender ist keine Lehrkraft", 0, {}, true};
    co_return co_await open_ticket(a, *facts.sender, m);
}

net::awaitable<decision> decide_safely(app& a, const mail_intake_keys& keys, const incoming_mail& m) {
    try {
        co_return co_await decide(a, keys, m);
    } catch (const std::exception& e) {
        // Recorded as failed with its raw bytes: a person sees it in the triage list.
        log_line(log_level::error, "incoming mail failed", {{"error", e.what()}});
        co_return decision{mail_outcome::failed, fmt::format("Fehler: {}", e.what()), 0, {}, true};
    }
}

} // namespace

std::uint64_t mail_taken_count(mail_outcome o) { return taken_by_outcome[static_cast<std::size_t>(o)].load(); }

mail_intake_keys mail_intake_keys_for(const mail_config& mail, const reply_token_key& reply_key) {
    mail_intake_keys keys;
    keys.reply_key = reply_key;
    keys.own.domain = mail_domain(mail.from);
    // Our sender's address: From's angle brackets if it has them.
    std::string_view from = mail.from;
    if (const auto open = from.rfind('<'); open != std::string_view::npos)
        from = from.substr(open + 1, from.find('>', open) - open - 1);
    keys.own.address = std::string(trim(from));
    return keys;
}

std::string message_key_of(const incoming_mail& m, std::string_view raw) {
    if (!m.message_id.empty()) return ascii_lower(m.message_id).substr(0, 500);
    return "sha256:" + sha256_hex(raw);
}

net::awaitable<intake_result> take_mail(app& a, const mail_intake_keys& keys, std::string_view raw) {
    const auto m = parse_incoming_mail(raw, keys.own);
    co_return co_await take_mail(a, keys, raw, m);
}

net::awaitable<intake_result> take_mail(app& a, const mail_intake_keys& keys, std::string_view raw,
                                        const incoming_mail& m) {
    const auto key = message_key_of(m, raw);
    const time_ms now = now_ms();
    const auto id = co_await a.storage->write([&](SQLite::Database& db) {
        return begin_received_mail(db, key, now, m.from.address, m.from.name, m.subject, raw);
    });
    if (!id) co_return intake_result{mail_outcome::ignored, "schon übernommen", {}, true};
    auto d = co_await decide_safely(a, keys, m);
    const bool may_answer = d.unknown_sender && a.config.mail.imap.unknown_senders == "answer";
    co_await a.storage->write([&](SQLite::Database& db) {
        // The mail stays in triage either way (the help desk may still file it for a teacher); the answer only
        // tells the sender how to reach the support, at most once a day, so two robots cannot start a loop.
        if (may_answer && claim_unknown_sender_answer(db, m.from.address, now, 24 * 3600 * 1000)) {
            insert_outbox(db, {mail_kind::unknown_sender, 0, *id, 0, m.from.address, outbox_state::pending}, now);
            d.reason += " – automatisch beantwortet";
        }
        finish_received_mail(db, *id, d.outcome, d.reason, d.ticket_id, d.keep_raw);
    });
    ++taken_by_outcome[static_cast<std::size_t>(d.outcome)];
    log_line(log_level::info, "incoming mail",
             {{"outcome", std::string(to_string(d.outcome))}, {"ticket", d.ticket_number}, {"reason", d.reason}});
    co_return intake_result{d.outcome, d.reason, d.ticket_number, false};
}

net::awaitable<outcome<std::string>> ticket_from_triage(app& a, const user& dispatcher, std::int64_t mail_id,
                                                        const std::string& teacher_login) {
    auto found = co_await a.storage->read([&](SQLite::Database& db) {
        return std::tuple{find_received_mail(db, mail_id), load_raw_mail(db, mail_id),
                          find_user_by_login(db, teacher_login)};
    });
    auto& [mail, raw, teacher] = found;
    if (!mail || (mail->outcome != mail_outcome::triage && mail->outcome != mail_outcome::failed))
        co_return request_error{http::status::not_found, "not_found", "Diese E-Mail wartet nicht (mehr).", "", {}};
    if (!teacher || teacher->who != role::teacher || teacher->disabled)
        co_return request_error{http::status::unprocessable_entity, "unknown_teacher",
                                fmt::format("„{}“ ist kein aktives Lehrerkonto.", teacher_login), "teacher", {}};
    const auto m = parse_incoming_mail(raw ? *raw : std::string());
    auto made = co_await open_ticket(a, *teacher, m);
    if (made.outcome != mail_outcome::ticket)
        co_return request_error{http::status::unprocessable_entity, "ticket_refused", made.reason, "teacher", {}};
    const time_ms now = now_ms();
    co_await a.storage->write([&](SQLite::Database& db) {
        settle_triage_mail(db, mail_id, mail_outcome::ticket, made.ticket_id, dispatcher.id, now);
        append_audit(db, now, dispatcher.id, "mail_triage_ticket", made.ticket_number,
                     fmt::format("E-Mail {} von {} für {}", mail_id, mail->sender, teacher_login));
    });
    co_return made.ticket_number;
}

net::awaitable<std::optional<request_error>> discard_triage(app& a, const user& dispatcher, std::int64_t mail_id) {
    const time_ms now = now_ms();
    const bool done = co_await a.storage->write([&](SQLite::Database& db) {
        auto mail = find_received_mail(db, mail_id);
        if (!mail || !settle_triage_mail(db, mail_id, mail_outcome::discarded, 0, dispatcher.id, now)) return false;
        append_audit(db, now, dispatcher.id, "mail_triage_discard", fmt::format("mail {}", mail_id),
                     fmt::format("{}: {}", mail->sender, mail->subject.substr(0, 150)));
        return true;
    });
    if (!done) co_return request_error{http::status::not_found, "not_found", "Diese E-Mail wartet nicht (mehr).", "", {}};
    co_return std::nullopt;
}

} // namespace campusdesk
