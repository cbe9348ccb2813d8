#include "server/mail/message_ids.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

TEST_CASE("our Message-IDs name their ticket and notification and are recognised again", "[mail]") {
    CHECK(mail_domain("IT-Schulcampus <Helpdesk@Schulen.Example.DE>") == "schulen.example.de");
    CHECK(mail_domain("helpdesk@schulen.example.de") == "schulen.example.de");
    CHECK(mail_domain("no address") == "");

    const std::string domain = "schulen.example.de";
    CHECK(ticket_thread_id(123, domain) == "<cd-ticket-123@schulen.example.de>");
    CHECK(notification_message_id(456, 123, domain) == "<cd-n456.t123@schulen.example.de>");

    auto thread = parse_own_message_id(ticket_thread_id(123, domain), domain);
    REQUIRE(thread);
    CHECK(thread->ticket_id == 123);
    CHECK(thread->outbox_id == 0);
    auto note = parse_own_message_id("CD-N456.T123@SCHULEN.EXAMPLE.DE", domain);  // brackets and case may go
    REQUIRE(note);
    CHECK(note->ticket_id == 123);
    CHECK(note->outbox_id == 456);
    CHECK(parse_own_message_id(notification_message_id(7, 0, domain), domain)->ticket_id == 0);

    for (const char* foreign : {"<cd-ticket-123@other.example.de>", "<ticket-123@schulen.example.de>",
                                "<cd-ticket-@schulen.example.de>", "<cd-ticket-0@schulen.example.de>",
                                "<cd-ticket-12x@schulen.example.de>", "<cd-n.t1@schulen.example.de>",
                                "<cd-n5t1@schulen.example.de>", "<cd-n05.t1@schulen.example.de>", "", "<>"})
        CHECK_FALSE(parse_own_message_id(foreign, domain));
}
