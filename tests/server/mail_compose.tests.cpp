// Composing a notification (GMime) and the retry schedule, without a server.
#include "mail_support.hpp"
#include "test_server.hpp"

#include "server/mail/mail_sender.hpp"
#include "server/mail/mime.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace campusdesk;

TEST_CASE("retries: first delay, doubled each time, capped, then given up", "[server][mail]") {
    const mail_retry_policy p{5, 60, 300};
    struct row {
        int attempts;
        std::optional<time_ms> delay;
    };
    for (const auto& r : std::vector<row>{{1, 60'000}, {2, 120'000}, {3, 240'000}, {4, 300'000}, {5, std::nullopt},
                                          {9, std::nullopt}}) {
        INFO("after " << r.attempts << " failed attempts");
        CHECK(retry_delay(p, r.attempts) == r.delay);
    }
    // A huge maximum never overflows the doubling.
    CHECK(retry_delay({100, 1, 2'000'000'000}, 90) == time_ms{2'000'000'000} * 1000);
}

TEST_CASE("MIME: UTF-8 names and subjects become encoded words, the body stays UTF-8 in both parts", "[server][mail]") {
    mail_message m;
    m.from = "IT-Schulcampus Dortmund <helpdesk@schulen.example.de>";
    m.to_name = "Jörg Müller-Lüdenscheidt";
    m.to_address = "j.mueller@schule.example";
    m.reply_to = "helpdesk+t1.u2.0123456789abcdef0123@schulen.example.de";
    m.subject = "[CD-2026-000123] Rückfrage: Drucker „Büro“ – Papierstau";
    m.message_id = "<cd-n7.t1@schulen.example.de>";
    m.thread_id = "<cd-ticket-1@schulen.example.de>";
    m.unsubscribe_url = "https://helpdesk.example/account#mail";
    m.text = "Grüße\n.\nEine Zeile mit Punkt davor.";
    m.html = "<p>Grüße</p>";
    m.date = 1'800'000'000'000;
    const auto raw = compose_mime(m);
    // Headers are 7-bit: every non-ASCII character is inside an encoded word.
    const auto headers = raw.substr(0, raw.find("\r\n\r\n"));
    CHECK(std::all_of(headers.begin(), headers.end(), [](unsigned char c) { return c < 128; }));
    CHECK(raw.find("\r\n") != std::string::npos);
    CHECK(raw.find("\n") == raw.find("\r\n") + 1);  // CRLF line ends as SMTP wants

    testing::temp_dir dir;
    std::ofstream(dir.path / "1.eml", std::ios::binary) << "X-Envelope-To: j.mueller@schule.example\r\n" << raw;
    const auto mails = testing::read_mailbox(dir.path);
    REQUIRE(mails.size() == 1);
    auto got = mails.front();
    CHECK(got.subject == m.subject);
    CHECK(got.to_name == m.to_name);
    CHECK(got.reply_to == m.reply_to);
    CHECK(got.message_id == m.message_id);
    CHECK(got.headers["references"] == m.thread_id);
    CHECK(got.headers["in-reply-to"] == m.thread_id);
    CHECK(got.headers["auto-submitted"] == "auto-generated");
    CHECK(got.headers["list-unsubscribe"] == "<" + m.unsubscribe_url + ">");
    CHECK(got.text == m.text);
    CHECK(got.html == m.html);
    CHECK(got.part_types == std::vector<std::string>{"multipart/alternative", "text/plain; charset=utf-8",
                                                     "text/html; charset=utf-8"});
    CHECK(mailbox_address(m.from) == "helpdesk@schulen.example.de");
    CHECK_FALSE(mailbox_address("kein Absender"));
    CHECK_FALSE(mailbox_address("a@b.de, c@d.de"));
}
