#include "core/ticket_rules.hpp"

#include "core/app_config.hpp"

#include <catch2/catch.hpp>

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
    const ticket_draft good{"100001", "printer", "normal", "Drucker", "", "A1", ""};
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
