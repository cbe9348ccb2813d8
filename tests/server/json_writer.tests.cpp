#include "server/http/json_writer.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <limits>

using campusdesk::json_writer;
namespace json = boost::json;

TEST_CASE("the JSON writer writes what Boost.JSON reads back as the same value", "[server][json]") {
    const std::string awkward = "Beamer \"B 1.12\" \\ zeigt\nnichts\t\x01 – Prüfung ✓ </script>";
    json_writer w;
    w.begin_object();
    w.key("text").value(awkward);
    w.key("awkward_value_in_array").begin_array().value(awkward).value(std::int64_t{-42}).end_array();
    w.key("big").value(std::numeric_limits<std::int64_t>::max());
    w.key("flags").begin_array().value(true).value(false).null().end_array();
    w.key("empty_object").begin_object().end_object();
    w.key("empty_array").begin_array().end_array();
    w.key("nested").begin_array().begin_object().key("a").value(1).end_object().begin_array().end_array().end_array();
    w.member("present", std::string_view("x"));
    w.member("absent", std::nullopt);
    w.key("empty_string").value("");
    w.key("plain_umlauts").value("Grüße aus der Schule ✓");  // no escape needed: copied as it is
    const std::string text = w.end_object().take();

    const json::value expected{{"text", awkward},
                               {"awkward_value_in_array", json::array{json::value(awkward), -42}},
                               {"big", std::numeric_limits<std::int64_t>::max()},
                               {"flags", json::array{true, false, nullptr}},
                               {"empty_object", json::object{}},
                               {"empty_array", json::array{}},
                               {"nested", json::array{json::object{{"a", 1}}, json::array{}}},
                               {"present", "x"},
                               {"absent", nullptr},
                               {"empty_string", ""},
                               {"plain_umlauts", "Grüße aus der Schule ✓"}};
    INFO(text);
    CHECK(json::parse(text) == expected);
    CHECK(text == json::serialize(expected));  // same members in the same order, same escaping
}
