// Incoming mail end to end: a real IMAP server (dovecot) and the real campusdesk binary, which polls it. A teacher's
// new mail becomes a ticket routed to the school's manager; a reply with the token becomes the teacher's reply and
// takes a ticket that waits on them back to open; auto-replies and bounces are recorded as ignored; an unknown
// sender lands in the help desk's triage list; a restart takes nothing twice.
#include "server/mail/reply_token.hpp"
#include "storage/settings_repository.hpp"
#include "tests/server/imap_server.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

std::string corpus(const std::string& name) {
    std::ifstream in(std::filesystem::path(CAMPUSDESK_SOURCE_DIR) / "tests/mail/corpus" / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string mail(const std::string& from, const std::string& to, const std::string& subject, const std::string& body,
                 const std::string& message_id, const std::string& extra_headers = "") {
    return fmt::format("From: {}\r\nTo: {}\r\nSubject: {}\r\nMessage-ID: <{}>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
                       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: 8bit\r\n{}\r\n{}\r\n",
                       from, to, subject, message_id, extra_headers, body);
}

// The first school of schools.csv, its teacher in the demo data, and that school's manager.
constexpr const char* school = "141017";
constexpr const char* teacher_login = "teacher-141017";
constexpr const char* teacher_address = "Lehrerin.Mengede@GS-Mengede.example.de";

struct mail_setup {
    imap_server imap;
    temp_dir data;
    std::filesystem::path config = write_config(data.path, imap.config_lines());
    std::unique_ptr<server_process> server;

    mail_setup() {
        start();
        set_email(teacher_login, "lehrerin.mengede@gs-mengede.example.de");  // case differs from the mails' From
    }
    void set_email(const std::string& login, const std::string& address) const {
        auto d = db();
        SQLite::Statement s(d, "UPDATE users SET email = ? WHERE login = ?");
        s.bind(1, address);
        s.bind(2, login);
        REQUIRE(s.exec() == 1);
    }
    void start() { server = std::make_unique<server_process>(data.path / "db", std::vector<std::string>{"--demo", "--config", config.string()}); }
    SQLite::Database db() const {
        SQLite::Database d((data.path / "db" / "campusdesk.db").string(), SQLite::OPEN_READWRITE);
        d.setBusyTimeout(5000);
        return d;
    }
    std::string outcome_of(const std::string& message_id) const {
        auto d = db();
        SQLite::Statement s(d, "SELECT outcome || ':' || reason FROM mail_received WHERE message_key = lower(?)");
        s.bind(1, message_id);
        return s.executeStep() ? s.getColumn(0).getString() : std::string("(none)");
    }
    std::int64_t count(const std::string& sql) const {
        auto d = db();
        return d.execAndGet(sql).getInt64();
    }
};

boost::json::value find_ticket_titled(client& c, const std::string& title) {
    auto list = c.get("/api/v1/tickets?limit=100&sort=created").json();
    for (const auto& t : list.at("tickets").as_array())
        if (t.at("title").as_string() == title) return t;
    return nullptr;
}

} // namespace

TEST_CASE("mail from IMAP: new tickets, replies by token, ignored auto-replies and bounces, triage, no repeats",
          "[mail][imap]") {
    mail_setup s;

    // A teacher's new mail: a ticket at their school, routed to the school's manager.
    s.imap.append(mail("Anna Lehrerin <" + std::string(teacher_address) + ">", "helpdesk@schulen.example.de",
                       "WG: Beamer in Raum 12 =?utf-8?Q?fl=C3=BCstert?=", "Der Beamer in Raum 12 brummt laut.\n\n-- \nAnna",
                       "new-1@gs-mengede.example.de"));
    // An out-of-office notice and a bounce: no ticket, no reply.
    s.imap.append(corpus("abwesenheitsnotiz.eml"));
    s.imap.append(corpus("bounce.eml"));
    // A stranger: the triage list.
    s.imap.append(mail("Fremd <fremd@example.org>", "helpdesk@schulen.example.de", "Frage zum WLAN",
                       "Wer ist zuständig?", "stranger-1@example.org"));
    REQUIRE(s.imap.wait_until_taken(4));

    client teacher(s.server->port());
    REQUIRE(teacher.login(teacher_login).status == 200);
    const auto t = find_ticket_titled(teacher, "Beamer in Raum 12 flüstert");
    REQUIRE(t.is_object());
    CHECK(t.at("school_number").as_string() == school);
    CHECK(t.at("category").as_string() == "other");
    CHECK(t.at("priority").as_string() == "normal");
    CHECK(t.at("status").as_string() == "new");
    CHECK(t.at("assignee").at("name").as_string() == "Andrea Kowalczyk");  // manager01 looks after 141017
    const std::string number(t.at("number").as_string());
    const auto details = teacher.get("/api/v1/tickets/" + number).json();
    CHECK(details.at("description").as_string() == "Der Beamer in Raum 12 brummt laut.\n\n-- \nAnna");
    CHECK(s.outcome_of("new-1@gs-mengede.example.de") == "ticket:");

    CHECK(s.outcome_of("oof.AM0PR01MB9999@AM0PR01MB9999.eurprd01.prod.exchangelabs.com") ==
          "ignored:auto_reply (Auto-Submitted: auto-generated)");
    CHECK(s.outcome_of("20260304140000.4ABC123DEF@mx.schulen.example.de") ==
          "ignored:bounce (From: MAILER-DAEMON@mx.schulen.example.de)");
    CHECK(s.outcome_of("stranger-1@example.org") == "triage:Absender unbekannt");
    CHECK(s.count("SELECT COUNT(*) FROM tickets WHERE title IN ('Undelivered Mail Returned to Sender', "
                  "'Frage zum WLAN') OR title LIKE 'Automatische Antwort%'") == 0);
    const auto metrics = client(s.server->port()).get("/metrics").body;
    for (const auto* line : {"campusdesk_mail_received_total{outcome=\"ticket\"} 1\n",
                             "campusdesk_mail_received_total{outcome=\"ignored\"} 2\n",
                             "campusdesk_mail_received_total{outcome=\"triage\"} 1\n",
                             "campusdesk_mail_received_total{outcome=\"reply\"} 0\n"})
        CHECK(metrics.find(line) != std::string::npos);
    // Only triage keeps the raw mail; the ticket and the ignored ones do not need it.
    CHECK(s.count("SELECT COUNT(*) FROM mail_raw") == 1);

    // The manager asks; the ticket waits on the teacher.
    client manager(s.server->port());
    REQUIRE(manager.login("manager01").status == 200);
    REQUIRE(manager.post_json("/api/v1/tickets/" + number + "/status",
                              {{"status", "waiting_on_requester"}, {"note", "Welches Modell?"}})
                .status == 200);

    // The teacher answers the notification: reply address with the token, quoted history below.
    auto db = s.db();
    const auto secret = load_or_create_secret(db, "mail_reply", 32);
    reply_token_key key{};
    std::memcpy(key.data(), secret.data(), key.size());
    const auto ticket_id = db.execAndGet(fmt::format("SELECT id FROM tickets WHERE number = '{}'", number)).getInt64();
    const auto teacher_id = db.execAndGet(fmt::format("SELECT id FROM users WHERE login = '{}'", teacher_login)).getInt64();
    const auto reply_to = reply_address_for("helpdesk+{token}@schulen.example.de", key, {ticket_id, teacher_id});
    s.imap.append(mail(teacher_address, "IT-Schulcampus <" + reply_to + ">", "AW: [" + number + "] Beamer",
                       "Es ist ein Epson EB-520.\n\nAm 02.03.2026 um 10:00 schrieb IT-Schulcampus <" + reply_to +
                           ">:\n> Welches Modell?",
                       "reply-1@gs-mengede.example.de"));
    // A reply by subject from someone not allowed on the ticket: triage.
    s.imap.append(mail("Fremd <fremd@example.org>", "helpdesk@schulen.example.de", "Re: [" + number + "] Beamer",
                       "Ich auch!", "stranger-2@example.org"));
    REQUIRE(s.imap.wait_until_taken(6));

    const auto after = teacher.get("/api/v1/tickets/" + number).json();
    CHECK(after.at("status").as_string() == "open");  // SLA.md: the requester's reply moves it back to open
    const auto& events = after.at("events").as_array();
    bool replied = false;
    for (const auto& e : events)
        if (e.at("kind").as_string() == "public_reply" && e.at("body").as_string() == "Es ist ein Epson EB-520.") replied = true;
    CHECK(replied);
    CHECK(s.outcome_of("reply-1@gs-mengede.example.de") == "reply:");
    CHECK(s.outcome_of("stranger-2@example.org") ==
          fmt::format("triage:Antwort auf {} von einer Adresse, die dort nicht antworten darf", number));
    // The ticket page shows the reply to the teacher.
    CHECK(teacher.get("/tickets/" + number).body.find("Es ist ein Epson EB-520.") != std::string::npos);

    // The triage list: dispatchers only; a ticket for a chosen teacher, or discard; CSRF checked.
    client dispatcher(s.server->port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    auto page = dispatcher.get("/dispatch/mail");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("Frage zum WLAN") != std::string::npos);
    CHECK(page.body.find("Wer ist zuständig?") != std::string::npos);
    CHECK(teacher.get("/dispatch/mail").status == 404);
    CHECK(manager.get("/dispatch/mail").status == 404);
    const auto stranger_mail =
        s.count("SELECT id FROM mail_received WHERE message_key = 'stranger-1@example.org'");
    const auto other_mail = s.count("SELECT id FROM mail_received WHERE message_key = 'stranger-2@example.org'");
    CHECK(dispatcher.post_form(fmt::format("/dispatch/mail/{}/ticket", stranger_mail),
                               {{"csrf", "wrong"}, {"teacher", teacher_login}})
              .status == 403);
    CHECK(dispatcher.post_form(fmt::format("/dispatch/mail/{}/ticket", stranger_mail),
                               {{"csrf", dispatcher.csrf}, {"teacher", "manager01"}})
              .status == 422);
    auto made = dispatcher.post_form(fmt::format("/dispatch/mail/{}/ticket", stranger_mail),
                                     {{"csrf", dispatcher.csrf}, {"teacher", teacher_login}});
    REQUIRE(made.status == 303);
    CHECK(made.headers["location"].starts_with("/tickets/CD-"));
    CHECK(find_ticket_titled(teacher, "Frage zum WLAN").is_object());
    CHECK(dispatcher.post_form(fmt::format("/dispatch/mail/{}/discard", other_mail), {{"csrf", dispatcher.csrf}})
              .status == 303);
    CHECK(dispatcher.post_form(fmt::format("/dispatch/mail/{}/discard", other_mail), {{"csrf", dispatcher.csrf}})
              .status == 404);  // decided already
    CHECK(s.count("SELECT COUNT(*) FROM mail_received WHERE outcome IN ('triage', 'failed')") == 0);
    CHECK(s.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('mail_triage_ticket', 'mail_triage_discard')") == 2);

    // Restart with a mail taken before back in the INBOX (as if its move had failed): it is only moved again.
    const auto tickets_before = s.count("SELECT COUNT(*) FROM tickets");
    REQUIRE(s.server->stop() == 0);
    s.imap.append(mail("Anna Lehrerin <" + std::string(teacher_address) + ">", "helpdesk@schulen.example.de",
                       "WG: Beamer in Raum 12 =?utf-8?Q?fl=C3=BCstert?=", "Der Beamer in Raum 12 brummt laut.",
                       "new-1@gs-mengede.example.de"));
    s.start();
    REQUIRE(s.imap.wait_until_taken(7));
    CHECK(s.count("SELECT COUNT(*) FROM tickets") == tickets_before);
    CHECK(s.count("SELECT COUNT(*) FROM mail_received") == 6);
}

TEST_CASE("mail from IMAP: attachments, threading by Message-ID and subject, staff replies, refusals",
          "[mail][imap]") {
    mail_setup s;
    s.set_email("manager01", "a.kowalczyk@schulcampus.dortmund.example");
    s.set_email("teacher-148037", "nachbar@gs-nette.example.de");
    s.set_email("teacher-195540", "ehemalig@gs-westerfilde.example.de");
    {
        auto db = s.db();
        db.exec("UPDATE users SET disabled = 1 WHERE login = 'teacher-195540'");
    }

    // A photo and a winmail.dat: the photo is attached, winmail.dat refused by the upload checks and named in the
    // description; the raw mail is kept because not all of it is in the ticket.
    const std::string jpeg_b64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////2Q==";
    s.imap.append(fmt::format(
        "From: {}\r\nTo: helpdesk@schulen.example.de\r\nSubject: Tafel kaputt\r\nMessage-ID: <att-1@gs.example.de>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; "
        "charset=utf-8\r\n\r\nSiehe Foto.\r\n--b\r\nContent-Type: image/jpeg; name=tafel.jpg\r\n"
        "Content-Disposition: attachment; filename=tafel.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n"
        "--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "eJ8+IgAAAAA=\r\n--b--\r\n",
        teacher_address, jpeg_b64));
    // A stranger's mail with markup: shown escaped in the triage list, its raw bytes only as a download.
    s.imap.append(mail("<b>Fremd</b> <fremd@example.org>", "helpdesk@schulen.example.de",
                       "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "markup-1@example.org"));
    // Our own mail coming back, and a disabled account's mail.
    s.imap.append(mail("IT <noreply@schulen.example.de>", "helpdesk@schulen.example.de", "[CD-2026-000001] x", "x",
                       "cd-n5.t1@schulen.example.de"));
    s.imap.append(mail("ehemalig@gs-westerfilde.example.de", "helpdesk@schulen.example.de", "Hallo", "Noch da?",
                       "disabled-1@gs.example.de"));
    REQUIRE(s.imap.wait_until_taken(4));
    CHECK(s.outcome_of("att-1@gs.example.de") == "ticket:");
    client dispatcher(s.server->port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    const auto triage = dispatcher.get("/dispatch/mail");
    REQUIRE(triage.status == 200);
    CHECK(triage.body.find("<script>alert(1)") == std::string::npos);
    CHECK(triage.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(triage.body.find("<img src=x") == std::string::npos);
    const auto markup_id = s.count("SELECT id FROM mail_received WHERE message_key = 'markup-1@example.org'");
    const auto raw = dispatcher.get(fmt::format("/dispatch/mail/{}.eml", markup_id));
    CHECK(raw.status == 200);
    CHECK(raw.headers.at("content-type") == "application/octet-stream");
    CHECK(raw.headers.at("content-disposition").starts_with("attachment;"));
    CHECK(raw.body.find("Message-ID: <markup-1@example.org>") != std::string::npos);
    CHECK(dispatcher.get("/dispatch/mail/999999.eml").status == 404);
    CHECK(s.outcome_of("cd-n5.t1@schulen.example.de") == "ignored:own (Message-ID: <cd-n5.t1@schulen.example.de>)");
    CHECK(s.outcome_of("disabled-1@gs.example.de") == "triage:Absender unbekannt");
    CHECK(s.count("SELECT COUNT(*) FROM mail_raw r JOIN mail_received m ON m.id = r.mail_id "
                  "WHERE m.message_key = 'att-1@gs.example.de'") == 1);

    client teacher(s.server->port());
    REQUIRE(teacher.login(teacher_login).status == 200);
    const auto t = find_ticket_titled(teacher, "Tafel kaputt");
    REQUIRE(t.is_object());
    const std::string number(t.at("number").as_string());
    const auto details = teacher.get("/api/v1/tickets/" + number).json();
    const auto& files = details.at("attachments").as_array();
    REQUIRE(files.size() == 1);
    CHECK(files[0].at("filename").as_string() == "tafel.jpg");
    CHECK(teacher.get(std::string(files[0].at("url").as_string())).status == 200);
    const std::string description(details.at("description").as_string());
    CHECK(description.starts_with("Siehe Foto.\n\nNicht übernommene Anhänge"));
    CHECK(description.find("„winmail.dat“ ist kein Foto (JPEG, PNG, HEIC) und kein PDF.") != std::string::npos);

    const auto ticket_id = s.count("SELECT id FROM tickets WHERE number = '" + number + "'");
    // Threading without the token: our thread id in In-Reply-To; the ticket number in the subject; the manager
    // who looks after the school answers by mail; a teacher of another school may not.
    s.imap.append(mail(teacher_address, "helpdesk@schulen.example.de", "Re: Tafel", "Per In-Reply-To.",
                       "thread-1@gs.example.de", fmt::format("In-Reply-To: <cd-ticket-{}@schulen.example.de>\r\n", ticket_id)));
    s.imap.append(mail(teacher_address, "helpdesk@schulen.example.de", "AW: [" + number + "] Tafel", "Per Betreff.",
                       "subject-1@gs.example.de"));
    s.imap.append(mail("A. Kowalczyk <A.Kowalczyk@schulcampus.dortmund.example>", "helpdesk@schulen.example.de",
                       "AW: [" + number + "] Tafel", "Ich komme morgen.", "manager-1@schulcampus.example"));
    s.imap.append(mail("nachbar@gs-nette.example.de", "helpdesk@schulen.example.de", "AW: [" + number + "] Tafel",
                       "Bei uns auch.", "neighbour-1@gs.example.de"));
    REQUIRE(s.imap.wait_until_taken(8));
    CHECK(s.outcome_of("thread-1@gs.example.de") == "reply:");
    CHECK(s.outcome_of("subject-1@gs.example.de") == "reply:");
    CHECK(s.outcome_of("manager-1@schulcampus.example") == "reply:");
    CHECK(s.outcome_of("neighbour-1@gs.example.de") ==
          fmt::format("triage:Antwort auf {} von einer Adresse, die dort nicht antworten darf", number));
    std::vector<std::string> replies;
    const auto with_replies = teacher.get("/api/v1/tickets/" + number).json();
    for (const auto& e : with_replies.at("events").as_array())
        if (e.at("kind").as_string() == "public_reply") replies.emplace_back(e.at("body").as_string());
    // One sender's answers in the order they arrived; other senders' may interleave.
    std::erase(replies, "Ich komme morgen.");
    CHECK(replies == std::vector<std::string>{"Per In-Reply-To.", "Per Betreff."});
    CHECK(s.count("SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = '" + number +
                  "' AND e.kind = 'public_reply' AND e.by_staff = 1 AND e.body = 'Ich komme morgen.'") == 1);

    // A reply to a closed ticket cannot be taken: triage, with the reason.
    REQUIRE(teacher.post_json("/api/v1/tickets/" + number + "/status", {{"status", "closed"}, {"note", "erledigt"}})
                .status == 200);
    s.imap.append(mail(teacher_address, "helpdesk@schulen.example.de", "AW: [" + number + "] Tafel", "Doch nicht!",
                       "closed-1@gs.example.de"));
    REQUIRE(s.imap.wait_until_taken(9));
    CHECK(s.outcome_of("closed-1@gs.example.de").starts_with("triage:Antwort auf " + number + " nicht möglich: "));
}

TEST_CASE("benchmark: an IMAP batch of 1,000 mails becomes tickets", "[.mailbench]") {
    // Run by tests/bench/mail_intake; the result goes to tests/bench/results.md.
    imap_server imap;
    temp_dir data;
    const auto config = write_config(data.path, imap.config_lines());
    std::vector<std::string> teachers;
    {
        // Every demo teacher gets an address before the first poll: a first server run makes the database.
        server_process first(data.path / "db", {"--demo", "--config", config.string()});
        SQLite::Database db((data.path / "db" / "campusdesk.db").string(), SQLite::OPEN_READWRITE);
        db.setBusyTimeout(5000);
        db.exec("UPDATE users SET email = login || '@schule.example.de' WHERE role = 'teacher'");
        SQLite::Statement s(db, "SELECT email FROM users WHERE role = 'teacher' ORDER BY id");
        while (s.executeStep()) teachers.push_back(s.getColumn(0).getString());
    }
    REQUIRE(teachers.size() > 50);
    constexpr int mails = 1000;
    std::vector<std::string> raws;
    for (int i = 0; i < mails; ++i)
        raws.push_back(mail(teachers[static_cast<std::size_t>(i) % teachers.size()], "helpdesk@schulen.example.de",
                            fmt::format("Störung Nummer {}", i),
                            fmt::format("Gerät {} geht nicht.\n\nMit freundlichen Grüßen\nAnna", i),
                            fmt::format("bench-{}@gs.example.de", i)));
    imap.drop_into_inbox(raws);
    REQUIRE(imap.count("INBOX") == mails);
    const auto start = std::chrono::steady_clock::now();
    server_process server(data.path / "db", {"--demo", "--config", config.string()});
    REQUIRE(imap.wait_until_taken(mails, 120));
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    SQLite::Database db((data.path / "db" / "campusdesk.db").string(), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("SELECT COUNT(*) FROM mail_received WHERE outcome = 'ticket'").getInt() == mails);
    std::printf("mail intake: %d mails from IMAP to tickets in %.2f s (%.0f mails/s), server start included\n", mails,
                seconds, mails / seconds);
    CHECK(seconds <= 10.0);
}

TEST_CASE("IMAP IDLE: a mail is taken as soon as it arrives, long before the next poll", "[mail][imap]") {
    imap_server imap;
    temp_dir data;
    auto lines = imap.config_lines();
    const auto at = lines["mail.imap"].find("poll_seconds = 1");
    REQUIRE(at != std::string::npos);
    lines["mail.imap"].replace(at, 16, "poll_seconds = 600\nmode = \"idle\"");
    const auto config = write_config(data.path, lines);
    const auto started = std::chrono::steady_clock::now();
    {
        server_process server(data.path / "db", {"--demo", "--config", config.string()});
        // The first poll finds nothing; then the fetcher waits in IDLE (polling would look again in 600 s).
        std::this_thread::sleep_for(std::chrono::seconds(2));
        SQLite::Database db((data.path / "db" / "campusdesk.db").string(), SQLite::OPEN_READWRITE);
        db.exec(fmt::format("UPDATE users SET email = '{}' WHERE login = '{}'", teacher_address, teacher_login));
        imap.append(mail(teacher_address, "helpdesk@schulen.example.de", "Drucker im Lehrerzimmer", "Papierstau.",
                         "idle-1@gs-mengede.example.de"));
        REQUIRE(imap.wait_until_taken(1, 10));
        CHECK(db.execAndGet("SELECT outcome FROM mail_received WHERE message_key = 'idle-1@gs-mengede.example.de'")
                  .getString() == "ticket");
        // A second one on the renewed IDLE.
        imap.append(mail(teacher_address, "helpdesk@schulen.example.de", "Beamer in Raum 3", "Kein Bild.",
                         "idle-2@gs-mengede.example.de"));
        REQUIRE(imap.wait_until_taken(2, 10));
    }
    // Stopping the server ends the IDLE at once (a stop is seen within a quarter second, then DONE and LOGOUT).
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
}
