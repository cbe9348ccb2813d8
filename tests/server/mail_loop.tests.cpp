// The whole mail loop with both real servers (aiosmtpd for SMTP, dovecot for IMAP) and the real binary: a teacher
// files a ticket, the school's campus manager receives the notification, answers it in their mail program, and the
// teacher reads the answer on the ticket, quoted history cut.
#include "tests/server/imap_server.hpp"
#include "tests/server/mail_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <thread>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

// The public replies of a ticket as the teacher reads them: "actor name|body".
std::vector<std::string> public_replies(client& c, const std::string& number) {
    std::vector<std::string> out;
    const auto ticket = c.get("/api/v1/tickets/" + number).json();
    for (const auto& e : ticket.at("events").as_array())
        if (e.at("kind").as_string() == "public_reply")
            out.push_back(fmt::format("{}|{}", std::string(e.at("actor").at("name").as_string()),
                                      std::string(e.at("body").as_string())));
    return out;
}

// Both real mail servers and campusdesk configured for them (`extra_imap`: more lines for [mail.imap]).
struct mail_pair {
    imap_server imap;
    temp_dir dir;
    smtp_sink sink{dir.path / "mailbox"};
    std::unique_ptr<server_process> server;

    explicit mail_pair(const std::string& extra_imap = "") {
        auto lines = imap.config_lines();
        lines["mail.smtp"] =
            fmt::format("url = \"smtp://127.0.0.1:{}\"\ntls = \"off\"\ntimeout_seconds = 5", sink.port());
        if (!extra_imap.empty()) lines["mail.imap"] += "\n" + extra_imap;
        const auto config = write_config(dir.path, lines);
        server = std::make_unique<server_process>(dir.path / "db", std::vector<std::string>{"--demo", "--config", config.string()});
    }
};

} // namespace

TEST_CASE("the mail loop: filed on the page's API, notified by SMTP, answered by mail, read on the ticket",
          "[mail][imap]") {
    mail_pair mail;
    auto& [imap, dir, sink, running] = mail;
    auto& server = *running;

    client teacher(server.port());
    REQUIRE(teacher.login("teacher-141017").status == 200);
    const auto created = teacher.post_json("/api/v1/tickets", {{"category", "presentation"},
                                                               {"priority", "normal"},
                                                               {"title", "Beamer in Raum 12 bleibt dunkel"},
                                                               {"description", "Seit heute Morgen kein Bild."},
                                                               {"room", "12"}});
    REQUIRE(created.status == 201);
    const std::string number(created.json().at("number").as_string());

    // manager01 looks after school 141017; their address is the one of managers.csv.
    const std::string manager_address = "a.kowalczyk@schulcampus.dortmund.example";
    std::vector<received_mail> to_manager;
    for (int i = 0; i < 30 && to_manager.empty(); ++i) {
        for (auto& m : wait_for_mail(dir.path / "mailbox", 1))
            if (m.envelope_to == manager_address && m.subject.find(number) != std::string::npos)
                to_manager.push_back(std::move(m));
        if (to_manager.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    REQUIRE(to_manager.size() == 1);
    const auto& notice = to_manager.front();
    REQUIRE_FALSE(notice.reply_to.empty());

    // The manager answers in their mail program: to the Reply-To address, threaded, with the notice quoted below.
    const std::string answer = fmt::format(
        "From: Andrea Kowalczyk <{}>\r\nTo: {}\r\nSubject: AW: {}\r\nMessage-ID: <answer-1@schulcampus.dortmund.example>\r\n"
        "In-Reply-To: {}\r\nReferences: {}\r\nDate: Mon, 30 Nov 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Ich komme morgen um 8 Uhr vorbei und tausche die Lampe.\r\n\r\n"
        "Am 30.11.2026 um 08:12 schrieb IT-Schulcampus <helpdesk@schulen.example.de>:\r\n> {}\r\n",
        manager_address, notice.reply_to, notice.subject, notice.message_id, notice.message_id, notice.text.substr(0, 60));
    imap.append(answer);
    REQUIRE(imap.wait_until_taken(1));

    std::vector<std::string> replies;
    for (int i = 0; i < 50 && replies.empty(); ++i) {
        replies = public_replies(teacher, number);
        if (replies.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(replies.size() == 1);
    CHECK(replies.front() == "Andrea Kowalczyk|Ich komme morgen um 8 Uhr vorbei und tausche die Lampe.");
    // The staff reply ended the first-response clock, as an answer on the page would.
    const auto ticket = teacher.get("/api/v1/tickets/" + number).json();
    CHECK(ticket.at("sla").at("first_response").at("verdict").as_string() == "met");
}

TEST_CASE("unknown senders get one polite answer a day; the mail stays in triage; robots are never answered",
          "[mail][imap]") {
    mail_pair mail("unknown_senders = \"answer\"");
    auto& [imap, dir, sink, running] = mail;
    auto& server = *running;

    auto stranger_mail = [](const std::string& from, int n, const std::string& extra = "") {
        return fmt::format("From: {}\r\nTo: helpdesk@schulen.example.de\r\nSubject: WLAN im Lehrerzimmer {}\r\n"
                           "Message-ID: <stranger-{}@example.org>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0100\r\n{}"
                           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGeht nicht.\r\n",
                           from, n, n, extra);
    };
    // Two mails of one stranger (the second in another case), and an auto-reply of another address.
    imap.append(stranger_mail("Fremd <fremd@example.org>", 1));
    REQUIRE(imap.wait_until_taken(1));
    imap.append(stranger_mail("FREMD@example.org", 2));
    imap.append(stranger_mail("Urlaub <urlaub@example.org>", 3, "Auto-Submitted: auto-replied\r\n"));
    REQUIRE(imap.wait_until_taken(3));

    // The demo's own notices go to staff; only what went to example.org counts here.
    auto to_strangers = [&] {
        std::vector<received_mail> out;
        for (auto& m : read_mailbox(dir.path / "mailbox"))
            if (m.envelope_to.ends_with("@example.org")) out.push_back(std::move(m));
        return out;
    };
    for (int i = 0; i < 50 && to_strangers().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::this_thread::sleep_for(std::chrono::seconds(2));  // time for a second answer, which must not come
    const auto all = to_strangers();
    REQUIRE(all.size() == 1);
    const auto& answer = all.front();
    CHECK(answer.envelope_to == "fremd@example.org");
    CHECK(answer.subject == "Ihre E-Mail an den IT-Support: WLAN im Lehrerzimmer 1");
    CHECK(answer.headers.at("auto-submitted") == "auto-replied");  // RFC 3834: nobody answers it back
    CHECK_FALSE(answer.headers.contains("list-unsubscribe"));      // the stranger has no preferences page
    CHECK(answer.text.find("/tickets/new") != std::string::npos);
    CHECK(answer.text.find("Your e-mail to the IT support has arrived") != std::string::npos);

    // Both mails of the stranger wait in triage for the help desk; the first says it was answered.
    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    const auto page = dispatcher.get("/dispatch/mail").body;
    CHECK(page.find("WLAN im Lehrerzimmer 1") != std::string::npos);
    CHECK(page.find("WLAN im Lehrerzimmer 2") != std::string::npos);
    CHECK(page.find("Absender unbekannt – automatisch beantwortet") != std::string::npos);
}
