// Mail out (issue 17) end to end: the real binary with mail enabled delivers to a real SMTP server (aiosmtpd) on
// loopback; the received mails are decoded with GMime.
#include "mail_support.hpp"
#include "test_server.hpp"

#include "server/mail/message_ids.hpp"
#include "server/mail/reply_token.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <sodium.h>

#include <thread>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

constexpr const char* school = "141017";  // Grundschule Mengede, manager01 (config/schools.csv)
constexpr const char* manager_address = "a.kowalczyk@schulcampus.dortmund.example";
constexpr const char* domain = "schulen.example.de";  // of [mail] from in config/campusdesk.toml

std::filesystem::path mail_config(const std::filesystem::path& dir, unsigned short smtp_port, int max_attempts = 12) {
    return write_config(dir, {{"mail", "enabled = true"},
                              {"mail.smtp", fmt::format("url = \"smtp://127.0.0.1:{}\"\ntls = \"off\"\ntimeout_seconds = 5",
                                                        smtp_port)},
                              {"mail.retry", fmt::format("first_delay_seconds = 1\nmax_delay_seconds = 2\nmax_attempts = {}",
                                                         max_attempts)}});
}

std::string csrf_of(const std::string& page) {
    const auto at = page.find("name=\"csrf\" value=\"");
    return at == std::string::npos ? "" : page.substr(at + 19, 64);
}

// Logs in through the login page and files a ticket through the form; returns its number.
std::string file_on_page(client& browser, const std::string& title) {
    const auto login_page = browser.get("/login");
    REQUIRE(browser.post_form("/login", {{"login", std::string("teacher-") + school}, {"password", "demo"},
                                         {"csrf", csrf_of(login_page.body)}})
                .status == 303);
    const auto form = browser.get("/tickets/new");
    auto filed = browser.post_form("/tickets", {{"csrf", csrf_of(form.body)}, {"category", "network"},
                                                {"priority", "high"}, {"title", title}, {"room", "B 1.12"},
                                                {"description", "Seit der ersten Stunde kein Netz."}, {"asset_tag", ""}});
    REQUIRE(filed.status == 303);
    const auto location = filed.headers["location"];
    return location.substr(9, location.find('?') - 9);
}

std::int64_t ticket_id_of(const std::filesystem::path& data, const std::string& number) {
    SQLite::Database db((data / "campusdesk.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement s(db, "SELECT id FROM tickets WHERE number = ?");
    s.bind(1, number);
    REQUIRE(s.executeStep());
    return s.getColumn(0).getInt64();
}

reply_token_key reply_key(const std::filesystem::path& data) {
    SQLite::Database db((data / "campusdesk.db").string(), SQLite::OPEN_READONLY);
    const auto hex = db.execAndGet("SELECT value FROM settings WHERE name = 'secret:mail_reply'").getString();
    reply_token_key key{};
    std::size_t length = 0;
    REQUIRE(sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &length, nullptr) == 0);
    REQUIRE(length == key.size());
    return key;
}

std::vector<received_mail> mails_about(const std::vector<received_mail>& mails, const std::string& number) {
    std::vector<received_mail> out;
    for (const auto& m : mails)
        if (m.subject.find("[" + number + "]") != std::string::npos) out.push_back(m);
    return out;
}

long long metric(client& c, const std::string& name) {
    const auto body = c.get("/metrics").body;
    const auto at = body.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stoll(body.substr(at + name.size() + 2));
}

} // namespace

TEST_CASE("a teacher files on the page: the manager's mailbox receives the notification", "[server][mail]") {
    temp_dir dir;
    smtp_sink sink(dir.path / "mailbox");
    const auto config = mail_config(dir.path, sink.port());
    server_process server(dir.path / "data", {"--demo", "--config", config.string()});
    client teacher(server.port());
    // The demo's auto-close at start-up mails some teachers; this ticket's mail is found by its number.
    const std::string title = "WLAN fällt aus – Grüße aus Raum Ü";
    const auto number = file_on_page(teacher, title);
    std::vector<received_mail> mine;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (mine.empty() && std::chrono::steady_clock::now() < until) {
        mine = mails_about(read_mailbox(dir.path / "mailbox"), number);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(mine.size() == 1);
    auto m = mine.front();
    const auto id = ticket_id_of(dir.path / "data", number);
    CHECK(m.envelope_to == manager_address);
    CHECK(m.to_name == "Andrea Kowalczyk");
    // The subject: ticket number, kind, the UTF-8 title encoded as RFC 2047 words (never raw 8-bit in a header).
    CHECK(m.subject == "[" + number + "] Neues Ticket: " + title);
    CHECK(m.headers["subject"].find("=?UTF-8?") != std::string::npos);
    CHECK(std::all_of(m.headers["subject"].begin(), m.headers["subject"].end(),
                      [](unsigned char c) { return c < 128; }));
    // Message-ID: the notification's own (outbox row), about this ticket; the thread is the ticket's.
    const auto own = parse_own_message_id(m.message_id, domain);
    REQUIRE(own);
    CHECK(own->ticket_id == id);
    CHECK(own->outbox_id > 0);
    CHECK(m.headers["in-reply-to"] == ticket_thread_id(id, domain));
    CHECK(m.headers["references"] == ticket_thread_id(id, domain));
    CHECK(m.headers["auto-submitted"] == "auto-generated");
    CHECK(m.headers["list-unsubscribe"].find("/account#mail>") != std::string::npos);
    // Reply-To: a token only campusdesk can make, naming this ticket and the manager's account.
    const auto token = reply_token_in_address("helpdesk+{token}@schulen.example.de", m.reply_to);
    REQUIRE(token);
    const auto target = verify_reply_token(reply_key(dir.path / "data"), *token);
    REQUIRE(target);
    CHECK(target->ticket_id == id);
    client manager(server.port());
    const auto session = manager.login("manager01").json();
    CHECK(target->user_id == session.as_object().at("user").as_object().at("id").as_int64());
    // Both alternatives, UTF-8, with the ticket and its link.
    CHECK(m.part_types == std::vector<std::string>{"multipart/alternative", "text/plain; charset=utf-8",
                                                   "text/html; charset=utf-8"});
    CHECK(m.text.find(title) != std::string::npos);
    CHECK(m.text.find("/tickets/" + number) != std::string::npos);
    CHECK(m.html.find("Gr&uuml;&szlig;e") == std::string::npos);  // UTF-8, not entities
    CHECK(m.html.find("WLAN fällt aus") != std::string::npos);
    CHECK(m.html.find("href=\"http://") != std::string::npos);
    CHECK(metric(manager, "campusdesk_mail_sent_total") >= 1);
}

TEST_CASE("mail settings: a kind switched off sends nothing, the others still arrive", "[server][mail]") {
    temp_dir dir;
    smtp_sink sink(dir.path / "mailbox");
    const auto config = mail_config(dir.path, sink.port());
    server_process server(dir.path / "data", {"--demo", "--config", config.string()});
    client manager(server.port());
    manager.login("manager01");
    auto page = manager.get("/account");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("E-Mail-Benachrichtigungen") != std::string::npos);
    CHECK(page.body.find(manager_address) != std::string::npos);  // from managers.csv, shown, not editable
    // Everything on but new tickets.
    auto saved = manager.post_form("/account/mail", {{"csrf", manager.csrf}, {"kind_assigned", "on"},
                                                     {"kind_requester_reply", "on"}, {"kind_reopened", "on"},
                                                     {"kind_sla_warning", "on"}, {"kind_sla_breach", "on"},
                                                     {"locale", "de"}});
    CHECK(saved.status == 200);
    CHECK(saved.body.find("Die Mail-Einstellungen sind gespeichert.") != std::string::npos);
    CHECK(saved.body.find("name=\"kind_new_ticket\" value=\"on\" checked") == std::string::npos);
    CHECK(manager.post_form("/account/mail", {{"locale", "de"}}).status == 403);  // no CSRF token

    client teacher(server.port());
    const auto number = file_on_page(teacher, "Beamer ohne Bild");
    // The teacher answers a question: the manager hears of that (requester_reply is on). The sender goes in
    // order, so once this mail is there the new-ticket mail would have been too.
    REQUIRE(manager.post_json("/api/v1/tickets/" + number + "/status",
                              {{"status", "waiting_on_requester"}, {"note", "Welcher Raum genau?"}})
                .status == 200);
    client teacher_api(server.port());
    teacher_api.login(std::string("teacher-") + school);
    REQUIRE(teacher_api.post_json("/api/v1/tickets/" + number + "/replies", {{"body", "Raum B 1.12, danke!"}}).status ==
            201);
    std::vector<received_mail> mine;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (mails_about(mine, number).size() < 2 && std::chrono::steady_clock::now() < until) {
        mine = read_mailbox(dir.path / "mailbox");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const auto about = mails_about(mine, number);
    std::vector<std::string> subjects;
    for (const auto& m : about) subjects.push_back(m.subject.substr(0, m.subject.find(':')));
    std::sort(subjects.begin(), subjects.end());
    CHECK(subjects == std::vector<std::string>{"[" + number + "] Antwort der Lehrkraft", "[" + number + "] Rückfrage"});
    for (auto m : about) {
        if (m.subject.find("Rückfrage") != std::string::npos) CHECK(m.text.find("Welcher Raum genau?") != std::string::npos);
        else CHECK(m.envelope_to == manager_address);
    }
}

TEST_CASE("the SMTP server is down: mail is retried and delivered once it is up", "[server][mail]") {
    temp_dir dir;
    unsigned short port = 0;
    {
        smtp_sink probe(dir.path / "unused");  // a free port, then nobody listens on it
        port = probe.port();
    }
    const auto config = mail_config(dir.path, port);
    server_process server(dir.path / "data", {"--demo", "--config", config.string()});
    client teacher(server.port());
    const auto number = file_on_page(teacher, "Drucker druckt nicht");
    client admin(server.port());
    admin.login("dispatch1");
    // Attempts fail while nobody listens.
    const auto failing_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (metric(admin, "campusdesk_mail_failed_total") < 1 && std::chrono::steady_clock::now() < failing_until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(metric(admin, "campusdesk_mail_failed_total") >= 1);
    CHECK(metric(admin, "campusdesk_mail_pending") >= 1);
    smtp_sink sink(dir.path / "mailbox", port);
    std::vector<received_mail> mine;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (mails_about(mine, number).empty() && std::chrono::steady_clock::now() < until) {
        mine = read_mailbox(dir.path / "mailbox");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(mails_about(mine, number).size() == 1);
    // Delivered once: nothing more about it comes while the rest of the backlog drains.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    CHECK(mails_about(read_mailbox(dir.path / "mailbox"), number).size() == 1);
}

TEST_CASE("after max_attempts a notification is undeliverable and the help desk sees it", "[server][mail]") {
    temp_dir dir;
    unsigned short port = 0;
    {
        smtp_sink probe(dir.path / "unused");
        port = probe.port();
    }
    const auto config = mail_config(dir.path, port, 2);
    server_process server(dir.path / "data", {"--demo", "--config", config.string()});
    client teacher(server.port());
    const auto number = file_on_page(teacher, "Tablet-Koffer lädt nicht");
    client desk(server.port());
    desk.login("dispatch1");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string page;
    while (std::chrono::steady_clock::now() < until) {
        page = desk.get("/dispatch/undeliverable").body;
        if (page.find(number) != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    CHECK(page.find(number) != std::string::npos);
    CHECK(page.find(manager_address) != std::string::npos);
    CHECK(desk.get("/dispatch").body.find("Benachrichtigungen konnten nicht zugestellt werden") != std::string::npos);
    CHECK(metric(desk, "campusdesk_mail_undeliverable_total") >= 1);
    // Not for teachers or managers.
    client other(server.port());
    other.login("manager01");
    CHECK(other.get("/dispatch/undeliverable").status == 404);
}

TEST_CASE("mail disabled: filing queues nothing", "[server][mail]") {
    temp_dir dir;
    server_process server(dir.path / "data");
    client teacher(server.port());
    file_on_page(teacher, "Kein Ton am Beamer");
    SQLite::Database db((dir.path / "data" / "campusdesk.db").string(), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("SELECT count(*) FROM mail_outbox").getInt() == 0);
}

TEST_CASE("the account page: a teacher sets their own address, a bad one is refused", "[server][mail]") {
    temp_dir dir;
    server_process server(dir.path / "data");
    client teacher(server.port());
    teacher.login(std::string("teacher-") + school);
    auto bad = teacher.post_form("/account/mail", {{"csrf", teacher.csrf}, {"email", "nicht-gültig"}, {"locale", "de"}});
    CHECK(bad.status == 422);
    CHECK(bad.body.find("Das ist keine gültige E-Mail-Adresse.") != std::string::npos);
    CHECK(teacher.post_form("/account/mail", {{"csrf", teacher.csrf}, {"email", "x@y.de"}, {"locale", "fr"}}).status == 422);
    auto ok = teacher.post_form("/account/mail", {{"csrf", teacher.csrf}, {"email", " anna@schule.example "},
                                                  {"kind_question", "on"}, {"locale", "en"}});
    CHECK(ok.status == 200);
    CHECK(ok.body.find("value=\"anna@schule.example\"") != std::string::npos);
    CHECK(ok.body.find("name=\"kind_question\" value=\"on\" checked") != std::string::npos);
    CHECK(ok.body.find("name=\"kind_resolved\" value=\"on\">") != std::string::npos);
    CHECK(ok.body.find("<option value=\"en\" selected>") != std::string::npos);
}

TEST_CASE("mail test and check-config say clearly whether mail works", "[server][mail][cli]") {
    temp_dir dir;
    smtp_sink sink(dir.path / "mailbox");
    const auto config = mail_config(dir.path, sink.port());
    const auto sent = run_campusdesk({"mail", "test", "--config", config.string(), "pruefung@schule.example"});
    INFO(sent.err);
    CHECK(sent.status == 0);
    CHECK(sent.out.find("sent to pruefung@schule.example") != std::string::npos);
    auto mails = wait_for_mail(dir.path / "mailbox", 1);
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].envelope_to == "pruefung@schule.example");
    CHECK(mails[0].subject == "Testnachricht von campusdesk");
    CHECK(mails[0].headers["auto-submitted"] == "auto-generated");

    sink.stop();
    const auto refused = run_campusdesk({"mail", "test", "--config", config.string(), "pruefung@schule.example"});
    CHECK(refused.status == 1);
    CHECK(refused.err.find("NOT sent") != std::string::npos);
    CHECK(run_campusdesk({"mail", "test", "--config", config.string(), "kein-name"}).status == 2);

    const auto ok = run_campusdesk({"check-config", "--config", config.string()});
    CHECK(ok.status == 0);
    CHECK(ok.out.find("mail: enabled, SMTP smtp://127.0.0.1:") != std::string::npos);
    CHECK(ok.err.find("warning: [server] public_url is empty") != std::string::npos);
    // A password over an unencrypted connection is refused.
    const auto plain = write_config(dir.path, {{"mail", "enabled = true"},
                                               {"mail.smtp", "url = \"smtp://mail.example.de:25\"\ntls = \"off\"\nuser = \"u\"\npassword = \"p\""}});
    const auto refused_config = run_campusdesk({"check-config", "--config", plain.string()});
    CHECK(refused_config.status == 2);
    CHECK(refused_config.err.find("would send the SMTP password unencrypted to mail.example.de") != std::string::npos);
}

TEST_CASE("a resolved known problem is mailed to the teacher who joined it without a ticket", "[server][mail][problems]") {
    temp_dir dir;
    smtp_sink sink(dir.path / "mailbox");
    const auto config = mail_config(dir.path, sink.port());
    server_process server(dir.path / "data", {"--demo", "--config", config.string()});
    const std::string address = "zweite.lehrkraft@schulen.example.de";
    auto added = run_campusdesk({"user", "add", "lehrer2", "--role", "teacher", "--name", "Zweite Lehrkraft", "--school",
                                 school, "--email", address, "--password-stdin", "--config", config.string(), "--data",
                                 (dir.path / "data").string()},
                                "Stoerung-Betroffen-2026!\n");
    INFO(added.err);
    REQUIRE(added.status == 0);
    client teacher(server.port()), desk(server.port());
    REQUIRE(teacher.login("lehrer2", "Stoerung-Betroffen-2026!").status == 200);
    REQUIRE(desk.login("dispatch1").status == 200);
    auto declared = desk.post_json("/api/v1/problems", boost::json::object{{"title", "Internet im ganzen Gebäude"},
                                                                           {"schools", boost::json::array{school}}});
    REQUIRE(declared.status == 201);
    const auto id = std::to_string(declared.json().at("id").as_int64());
    REQUIRE(teacher.post_json("/api/v1/problems/" + id + "/affected", boost::json::object{{"room", "B 2.03"}}).status == 201);
    REQUIRE(desk.post_json("/api/v1/problems/" + id + "/resolve",
                           boost::json::object{{"resolution", "Router getauscht, das Netz läuft wieder."}})
                .status == 200);
    std::vector<received_mail> mine;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (mine.empty() && std::chrono::steady_clock::now() < until) {
        for (const auto& m : read_mailbox(dir.path / "mailbox"))
            if (m.envelope_to == address) mine.push_back(m);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(mine.size() == 1);
    auto m = mine.front();
    CHECK(m.subject == "Störung behoben: Internet im ganzen Gebäude");
    CHECK(m.to_name == "Zweite Lehrkraft");
    CHECK(m.text.find("Router getauscht, das Netz läuft wieder.") != std::string::npos);
    CHECK(m.text.find("/stoerungen/" + id) != std::string::npos);
    CHECK(m.html.find("Router getauscht") != std::string::npos);
    CHECK(m.headers["list-unsubscribe"].find("/account#mail>") != std::string::npos);
}
