#include "core/ticket_rules.hpp"

#include "core/app_config.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace campusdesk;

TEST_CASE("status transitions follow SLA.md §3", "[core][transitions]") {
    using enum status;
    struct row {
        status from;
        status to;
        bool allowed;
    };
    auto r = GENERATE(values<row>({
        {new_, open, true}, {new_, waiting_on_requester, true}, {new_, waiting_on_third_party, true},
        {new_, resolved, true}, {new_, closed, true}, {new_, new_, false},
        {open, waiting_on_requester, true}, {open, waiting_on_third_party, true}, {open, resolved, true},
        {open, closed, true}, {open, new_, false}, {open, open, false},
        {waiting_on_requester, open, true}, {waiting_on_requester, waiting_on_third_party, true},
        {waiting_on_requester, resolved, true}, {waiting_on_requester, new_, false},
        {waiting_on_third_party, open, true}, {waiting_on_third_party, closed, true},
        {resolved, open, true}, {resolved, closed, true}, {resolved, waiting_on_requester, false},
        {resolved, new_, false}, {resolved, waiting_on_third_party, false},
        {closed, open, false}, {closed, resolved, false}, {closed, new_, false},
    }));
    INFO(to_string(r.from) << " -> " << to_string(r.to));
    CHECK(transition_allowed(r.from, r.to) == r.allowed);
}

TEST_CASE("every enum round-trips through its name", "[core][ticket]") {
    for (auto s : all_statuses) CHECK(parse_status(to_string(s)) == s);
    for (auto p : all_priorities) CHECK(parse_priority(to_string(p)) == p);
    CHECK_FALSE(parse_status("New").has_value());
    CHECK_FALSE(parse_priority("").has_value());
    CHECK(parse_role("campus_manager") == role::campus_manager);
    CHECK(parse_event_kind("internal_note") == event_kind::internal_note);
}

TEST_CASE("ticket numbers", "[core][ticket]") {
    CHECK(format_ticket_number(2026, 123) == "CD-2026-000123");
    CHECK(format_ticket_number(2027, 1234567) == "CD-2027-1234567");
    CHECK(is_valid_ticket_number("CD-2026-000123"));
    CHECK_FALSE(is_valid_ticket_number("CD-2026-00012a"));
    CHECK_FALSE(is_valid_ticket_number("XX-2026-000123"));
    CHECK_FALSE(is_valid_ticket_number("CD-2026-"));
    CHECK_FALSE(is_valid_ticket_number("../etc/passwd"));
}

TEST_CASE("visibility: teachers their own, managers their schools, staff all", "[core][permissions]") {
    ticket t;
    t.requester_id = 10;
    t.school_number = "100001";
    t.assignee_id = 3;
    const std::int64_t school_manager = 3;
    CHECK(can_see({10, role::teacher, "100001", 0, {}}, t, school_manager, false));
    CHECK_FALSE(can_see({11, role::teacher, "100001", 0, {}}, t, school_manager, false));
    CHECK(can_see({11, role::teacher, "100001", 0, {}}, t, school_manager, true));   // colleagues, when allowed
    CHECK_FALSE(can_see({12, role::teacher, "100002", 0, {}}, t, school_manager, true));
    CHECK(can_see({20, role::campus_manager, "", 3, {}}, t, school_manager, false));
    CHECK_FALSE(can_see({21, role::campus_manager, "", 4, {}}, t, school_manager, false));
    t.assignee_id = 4;  // reassigned by the help desk to manager 4
    CHECK(can_see({21, role::campus_manager, "", 4, {}}, t, school_manager, false));
    CHECK(can_see({30, role::dispatcher, "", 0, {}}, t, school_manager, false));
    CHECK(can_see({31, role::admin, "", 0, {}}, t, school_manager, false));
    CHECK_FALSE(can_see({32, role::campus_manager, "", 0, {}}, t, school_manager, false));
}

TEST_CASE("UTF-8 length and validity", "[core][validation]") {
    CHECK(utf8_length("Störung") == 7);
    CHECK(utf8_length("") == 0);
    CHECK(utf8_prefix("Störung", 3) == "Stö");
    CHECK(utf8_prefix("Störung", 2) == "St");
    CHECK(utf8_prefix("Störung", 7) == "Störung");
    CHECK(utf8_prefix("Störung", 100) == "Störung");
    CHECK(utf8_prefix("€€", 1) == "€");
    CHECK(utf8_prefix("abc", 0) == "");
    CHECK(is_valid_utf8("Grüße aus Dortmund €"));
    CHECK_FALSE(is_valid_utf8("\xff"));
    CHECK_FALSE(is_valid_utf8("\xc3"));          // truncated
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
}

TEST_CASE("drafts are checked field by field", "[core][validation]") {
    app_config config;
    config.schools.push_back({"100001", "Grundschule Am Park", "Grundschule", "Eving", "Parkweg 1", "manager01"});
    config.schools.push_back({"100002", "Gymnasium Nord", "Gymnasium", "Eving", "Nordstr. 2", "manager02"});
    config.categories.push_back({"printer", "Drucker"});
    config.limits.title_max = 10;
    config.limits.description_max = 20;
    config.limits.room_max = 5;
    config.limits.asset_tag_max = 5;
    const viewer teacher{1, role::teacher, "100001", 0, {}};
    const viewer staff{2, role::dispatcher, "", 0, {}};
    const ticket_draft good{"100001", "printer", "normal", "Drucker", "", "A1", "", std::nullopt};
    CHECK(validate_draft(good, teacher, config).empty());

    struct row {
        const char* field;
        std::string value;
        const char* code;
    };
    auto r = GENERATE(values<row>({
        {"school_number", "", "required"},
        {"school_number", "999999", "unknown_school"},
        {"school_number", "100002", "not_your_school"},
        {"category", "toaster", "unknown_category"},
        {"priority", "sofort", "unknown_priority"},
        {"title", "   ", "required"},
        {"title", "Elf Zeichen", "too_long"},
        {"title", "\xff", "invalid_encoding"},
        {"description", std::string(21, 'x'), "too_long"},
        {"room", "Raum 1", "too_long"},
        {"asset_tag", "ABCDEF", "too_long"},
    }));
    ticket_draft d = good;
    std::string field = r.field;
    if (field == "school_number") d.school_number = r.value;
    if (field == "category") d.category = r.value;
    if (field == "priority") d.priority = r.value;
    if (field == "title") d.title = r.value;
    if (field == "description") d.description = r.value;
    if (field == "room") d.room = r.value;
    if (field == "asset_tag") d.asset_tag = r.value;
    auto errors = validate_draft(d, teacher, config);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == field);
    CHECK(errors[0].code == r.code);
    CHECK_FALSE(errors[0].message.empty());
    // Staff may file for any school; the other rules are the same.
    if (std::string(r.code) == "not_your_school") CHECK(validate_draft(d, staff, config).empty());
    // Umlauts count as one character each.
    ticket_draft umlauts = good;
    umlauts.title = "ÄÖÜäöüßÄÖÜ";
    CHECK(validate_draft(umlauts, teacher, config).empty());
}

// Issue 14, finding 2: one spelling per ticket, and a sequence range that generation and import share.
TEST_CASE("ticket numbers have one canonical spelling within the sequence range", "[core][ticket][numbers]") {
    struct row {
        const char* number;
        bool valid;
        const char* problem;  // part of ticket_number_problem's text
    };
    auto r = GENERATE(values<row>({
        {"CD-2026-000123", true, ""},
        {"CD-2026-000001", true, ""},
        {"CD-2026-999999", true, ""},
        {"CD-2026-1000000", true, ""},
        {"CD-2026-9999999999", true, ""},  // max_ticket_sequence
        {"CD-2000-000001", true, ""},
        {"CD-2026-10000000000", false, "out of range"},      // max + 1
        {"CD-2026-999999999999", false, "out of range"},     // the number of the finding
        {"CD-2026-000000", false, "out of range"},           // sequence 0
        {"CD-2025-0000001", false, "not canonical"},         // a second spelling of CD-2025-000001
        {"CD-2025-0999999", false, "not canonical"},
        {"CD-2025-0000000001", false, "not canonical"},
        {"CD-2025-00000000001", false, "out of range"},
        {"CD-1999-000001", false, "year 1999 is out of range"},
        {"CD-0000-000001", false, "out of range"},
        {"CD-2026-00012", false, "is not a ticket number"},
        {"CD-2026-00012a", false, "is not a ticket number"},
        {"CD-20a6-000123", false, "is not a ticket number"},
        {"XX-2026-000123", false, "is not a ticket number"},
        {"CD-2026-", false, "is not a ticket number"},
        {"CD-2026-+00123", false, "is not a ticket number"},
        {"CD-2026- 00123", false, "is not a ticket number"},
        {"../etc/passwd", false, "is not a ticket number"},
        {"", false, "is not a ticket number"},
    }));
    INFO(r.number);
    CHECK(is_valid_ticket_number(r.number) == r.valid);
    CHECK(parse_ticket_number(r.number).has_value() == r.valid);
    const auto problem = ticket_number_problem(r.number);
    if (r.valid) CHECK(problem.empty());
    else CHECK_THAT(problem, Catch::Contains(r.problem));
}

TEST_CASE("every number the server can generate passes validation and parses back (property)",
          "[core][ticket][numbers][property]") {
    std::vector<std::int64_t> sequences{1, 2, 9, 10, 99'999, 999'998, 999'999, 1'000'000, 1'000'001, 9'999'999,
                                        10'000'000, 999'999'999, 1'000'000'000, max_ticket_sequence - 1,
                                        max_ticket_sequence};
    std::mt19937_64 random(20261129);
    std::uniform_int_distribution<std::int64_t> any_sequence(1, max_ticket_sequence);
    std::uniform_int_distribution<int> digits(1, 10);
    for (int i = 0; i < 5000; ++i) {
        sequences.push_back(any_sequence(random));
        // Also spread over the widths: a random number of 1 to 10 digits.
        std::int64_t upper = 1;
        for (int d = digits(random); d > 0; --d) upper *= 10;
        sequences.push_back(std::uniform_int_distribution<std::int64_t>(1, std::min(upper, max_ticket_sequence))(random));
    }
    std::uniform_int_distribution<int> any_year(min_ticket_year, max_ticket_year);
    for (const auto sequence : sequences) {
        const int year = any_year(random);
        const auto number = format_ticket_number(year, sequence);
        INFO(number);
        REQUIRE(is_valid_ticket_number(number));
        const auto parts = parse_ticket_number(number);
        REQUIRE(parts.has_value());
        CHECK(parts->year == year);
        CHECK(parts->sequence == sequence);
        CHECK(number.size() == 8 + std::max<std::size_t>(6, std::to_string(sequence).size()));
    }
    CHECK(format_ticket_number(2026, 999'999) == "CD-2026-999999");
    CHECK(format_ticket_number(2026, 1'000'000) == "CD-2026-1000000");  // the width grows by one digit
    CHECK(format_ticket_number(2026, max_ticket_sequence) == "CD-2026-9999999999");
    // Nothing outside the range gets a number: the counter must stop first (storage/ticket_repository).
    CHECK_THROWS_AS(format_ticket_number(2026, 0), std::out_of_range);
    CHECK_THROWS_AS(format_ticket_number(2026, max_ticket_sequence + 1), std::out_of_range);
    CHECK_THROWS_AS(format_ticket_number(1999, 1), std::out_of_range);
}

// Issue 14, finding 9: control characters in texts people type.
TEST_CASE("control characters: none in single-line texts, only line breaks and tabs in multi-line ones",
          "[core][validation][text]") {
    struct row {
        std::string text;
        bool single_ok;
        bool multi_ok;
    };
    auto r = GENERATE(values<row>({
        {"Beamer in B 1.12 flackert", true, true},
        {"Grüße – €", true, true},
        {"", true, true},
        {"Zeile 1\nZeile 2", false, true},
        {"Zeile 1\r\nZeile 2", false, true},
        {"Spalte\tSpalte", false, true},
        {std::string("a\0b", 3), false, false},
        {"a\x01" "b", false, false},
        {"\x1b[31mrot", false, false},  // a terminal escape
        {"a\x7f", false, false},        // DEL
        {"a\xc2\x85" "b", false, false},  // U+0085 NEXT LINE (C1)
        {"a\xc2\x9f", false, false},      // U+009F (C1)
        {"a\xc2\xa0" "b", true, true},    // U+00A0 no-break space is text
        {"\xc3\xa4\xc2\xbf", true, true}, // ä¿
    }));
    INFO(r.text);
    CHECK(has_control_characters(r.text, text_lines::single) == !r.single_ok);
    CHECK(has_control_characters(r.text, text_lines::multi) == !r.multi_ok);
}

TEST_CASE("drafts refuse control characters, naming the field", "[core][validation][text]") {
    app_config config;
    config.schools.push_back({"100001", "Grundschule Am Park", "Grundschule", "Eving", "Parkweg 1", "manager01"});
    config.categories.push_back({"printer", "Drucker"});
    const viewer teacher{1, role::teacher, "100001", 0, {}};
    const ticket_draft good{"100001", "printer", "normal", "Drucker", "Seit heute:\r\n\tkein Toner", "A1", "DO-1", std::nullopt};
    CHECK(validate_draft(good, teacher, config).empty());
    struct row {
        const char* field;
        std::string value;
    };
    auto r = GENERATE(values<row>({
        {"title", std::string("Drucker\0", 8)},
        {"title", "Drucker\nkaputt"},
        {"title", "Drucker\tkaputt"},
        {"description", std::string("kein\0Toner", 10)},
        {"description", "\x1b]0;pwned\x07"},
        {"room", "A\r1"},
        {"asset_tag", "DO\x7f"},
    }));
    ticket_draft d = good;
    const std::string field = r.field;
    if (field == "title") d.title = r.value;
    if (field == "description") d.description = r.value;
    if (field == "room") d.room = r.value;
    if (field == "asset_tag") d.asset_tag = r.value;
    const auto errors = validate_draft(d, teacher, config);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == field);
    CHECK(errors[0].code == "control_characters");
    CHECK_THAT(errors[0].message, Catch::Contains("Steuerzeichen"));
}

TEST_CASE("the search text: valid UTF-8, no control characters, at most 200 characters", "[core][validation][search]") {
    CHECK_FALSE(check_search_text("").has_value());
    CHECK_FALSE(check_search_text("Beamer \"B 1.12\" NEAR(x) OR *").has_value());  // FTS syntax is just text
    CHECK_FALSE(check_search_text(std::string(200, 'x')).has_value());
    std::string umlauts;
    for (int i = 0; i < 200; ++i) umlauts += "ä";
    CHECK_FALSE(check_search_text(umlauts).has_value());  // 400 bytes, 200 characters
    struct row {
        std::string text;
        const char* code;
    };
    auto r = GENERATE(values<row>({
        {std::string("a\0", 2), "invalid_characters"},
        {std::string("\0", 1), "invalid_characters"},
        {"a\nb", "invalid_characters"},
        {"\x1b", "invalid_characters"},
        {"\xff", "invalid_characters"},
        {std::string(201, 'x'), "too_long"},
    }));
    const auto e = check_search_text(r.text);
    REQUIRE(e.has_value());
    CHECK(e->field == "q");
    CHECK(e->code == r.code);
}

TEST_CASE("the caller of a phone intake: name and number without an account", "[core][ticket]") {
    struct row {
        bool has_account;
        std::string name, phone;
        std::vector<std::string> fields;  // refused, in order
    };
    const std::vector<row> rows{
        {true, "", "", {}},
        {true, "", "0231 50-4711", {}},
        {true, "", "+49 (231) 50/4711", {}},
        {false, "Herr Beck", "0231 4711", {}},
        {false, "", "0231 4711", {"caller_name"}},
        {false, "   ", "0231 4711", {"caller_name"}},
        {false, "Herr Beck", "", {"caller_phone"}},
        {false, "", "", {"caller_name", "caller_phone"}},
        {true, "", "12", {"caller_phone"}},                       // fewer than 3 digits
        {true, "", "0231-CALLME", {"caller_phone"}},
        {true, "", std::string(31, '1'), {"caller_phone"}},       // too long
        {true, "", std::string(30, '1'), {}},
        {false, "Herr\nBeck", "0231 4711", {"caller_name"}},      // one line
        {false, std::string(101, 'a'), "0231 4711", {"caller_name"}},
        {false, std::string(100, 'a'), "0231 4711", {}},
        {false, "Ü\xff", "0231 4711", {"caller_name"}},           // not UTF-8
    };
    for (const auto& r : rows) {
        INFO(r.has_account << " [" << r.name << "] [" << r.phone << "]");
        std::vector<std::string> fields;
        for (const auto& e : validate_caller(r.has_account, r.name, r.phone)) fields.push_back(e.field);
        CHECK(fields == r.fields);
    }
}

TEST_CASE("a canned reply needs a title of one line and a text within the reply limit", "[core][ticket]") {
    CHECK(validate_canned_reply("Neustart", "Bitte neu starten.", 100).empty());
    CHECK(validate_canned_reply("Neustart", "Zeile 1\nZeile 2", 100).empty());
    CHECK(validate_canned_reply("", "x", 100).front().field == "title");
    CHECK(validate_canned_reply("a\nb", "x", 100).front().field == "title");
    CHECK(validate_canned_reply(std::string(81, 'a'), "x", 100).front().field == "title");
    CHECK(validate_canned_reply("t", "", 100).front().field == "body");
    CHECK(validate_canned_reply("t", std::string(101, 'a'), 100).front().field == "body");
    CHECK(validate_canned_reply("t", std::string(100, 'a'), 100).empty());
}
