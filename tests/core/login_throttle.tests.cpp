#include "core/login_throttle.hpp"

#include "core/session_policy.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

namespace {
constexpr time_ms t0 = 1'800'000'000'000;
constexpr time_ms second = 1000;
} // namespace

TEST_CASE("the delay after failures: free ones, then doubling up to the cap", "[core][login]") {
    auto [failures, expected] = GENERATE(table<int, time_ms>({
        {0, 0}, {4, 0}, {5, 0}, {6, 1000}, {7, 2000}, {8, 4000}, {11, 32000}, {12, 60000}, {40, 60000}, {1000, 60000}}));
    INFO(failures << " failures");
    CHECK(login_delay(failures, 5, 60 * second) == expected);
}

TEST_CASE("wrong passwords slow the next attempt but never lock the account", "[core][login]") {
    login_throttle throttle;  // defaults: 5 free per login, 50 per address, cap 60 s, window 15 min
    const login_attempt attacker{"manager01", "203.0.113.9", ""};
    time_ms now = t0;
    for (int i = 0; i < 5; ++i) {
        CHECK(throttle.wait_before(attacker, now) == 0);
        throttle.failed(attacker, now);
    }
    CHECK(throttle.wait_before(attacker, now) == 0);  // the fifth failure was still free
    throttle.failed(attacker, now);
    CHECK(throttle.wait_before(attacker, now) == 1 * second);
    CHECK(throttle.wait_before(attacker, now + 1 * second) == 0);

    SECTION("however many failures, the wait never exceeds the cap") {
        for (int i = 0; i < 200; ++i) {
            now += throttle.wait_before(attacker, now);
            throttle.failed(attacker, now);
        }
        CHECK(throttle.wait_before(attacker, now) == 60 * second);
        CHECK(throttle.wait_before(attacker, now + 60 * second) == 0);
        // At most one guess a minute: fewer than 100 an hour (ASVS 6.3.1).
        const time_ms hour_start = now;
        int guesses = 0;
        while (now < hour_start + 3600 * second) {
            now += throttle.wait_before(attacker, now);
            throttle.failed(attacker, now);
            ++guesses;
        }
        CHECK(guesses <= 61);  // the count never starts afresh while guesses keep coming
    }
    SECTION("the owner's known browser is not held up by the attacker's failures") {
        const login_attempt owner{"manager01", "198.51.100.7", "device-digest"};
        CHECK(throttle.wait_before(owner, now) == 0);
    }
    SECTION("a new browser of the owner waits the same as anyone for this login") {
        const login_attempt owner_new_ipad{"Manager01", "198.51.100.7", ""};  // case does not matter
        CHECK(throttle.wait_before(owner_new_ipad, now) == 1 * second);
    }
    SECTION("other logins from other addresses are not affected") {
        CHECK(throttle.wait_before({"manager02", "198.51.100.7", ""}, now) == 0);
    }
    SECTION("failures are forgotten after the window") {
        CHECK(throttle.wait_before(attacker, now + 15 * 60 * second) == 0);
    }
    SECTION("a success clears the login's failures") {
        throttle.succeeded(attacker);
        CHECK(throttle.wait_before({"manager01", "198.51.100.7", ""}, now) == 0);
    }
}

TEST_CASE("one address trying many logins is slowed after its larger allowance", "[core][login]") {
    login_throttle throttle;
    const time_ms now = t0;
    for (int i = 0; i < 50; ++i) {
        const std::string login = "teacher-" + std::to_string(100000 + i);
        CHECK(throttle.wait_before({login, "203.0.113.9", ""}, now) == 0);
        throttle.failed({login, "203.0.113.9", ""}, now);
    }
    CHECK(throttle.wait_before({"teacher-200000", "203.0.113.9", ""}, now) == 0);
    throttle.failed({"teacher-200000", "203.0.113.9", ""}, now);
    CHECK(throttle.wait_before({"teacher-200001", "203.0.113.9", ""}, now) == 1 * second);
    // A colleague at another school is not affected; a known browser at the same school is not either.
    CHECK(throttle.wait_before({"teacher-200001", "198.51.100.7", ""}, now) == 0);
    CHECK(throttle.wait_before({"teacher-200001", "203.0.113.9", "device"}, now) == 0);
    SECTION("logging into an account of one's own does not reset the address") {
        throttle.succeeded({"attacker-own", "203.0.113.9", ""});
        CHECK(throttle.wait_before({"teacher-200002", "203.0.113.9", ""}, now) == 1 * second);
    }
}

TEST_CASE("a known device that fails is throttled on its own count", "[core][login]") {
    login_throttle throttle;
    const login_attempt stolen{"manager01", "203.0.113.9", "device-digest"};
    for (int i = 0; i < 6; ++i) throttle.failed(stolen, t0);
    CHECK(throttle.wait_before(stolen, t0) == 1 * second);
    CHECK(throttle.wait_before({"manager01", "198.51.100.7", "other-device"}, t0) == 0);
}

TEST_CASE("the throttle's memory stays bounded under a spray of made-up logins", "[core][login]") {
    login_throttle throttle;
    for (int i = 0; i < 120000; ++i) throttle.failed({"x" + std::to_string(i), "a" + std::to_string(i), ""}, t0);
    CHECK(throttle.tracked() <= 2 * 100000);
}

TEST_CASE("sessions end after their idle time or their lifetime, by role", "[core][session]") {
    const session_policy policy;  // defaults
    const auto& teacher = policy.for_role(role::teacher);
    const auto& staff = policy.for_role(role::dispatcher);
    CHECK(&policy.for_role(role::campus_manager) == &staff);
    CHECK(&policy.for_role(role::admin) == &staff);
    const time_ms minute = 60 * second, hour = 60 * minute;
    auto [who, created, last_seen, now, alive] = GENERATE_REF(table<const session_limits*, time_ms, time_ms, time_ms, bool>({
        {&teacher, t0, t0, t0 + 29 * minute, true},
        {&teacher, t0, t0, t0 + 30 * minute, false},              // idle 30 min
        {&teacher, t0, t0 + 11 * hour, t0 + 11 * hour + 20 * minute, true},
        {&teacher, t0, t0 + 11 * hour + 50 * minute, t0 + 12 * hour, false},  // lifetime 12 h, however active
        {&staff, t0, t0, t0 + 3 * hour, true},
        {&staff, t0, t0, t0 + 4 * hour, false},                   // idle 4 h
        {&staff, t0, t0 + 11 * hour, t0 + 12 * hour - 1, true},
        {&staff, t0, t0 + 11 * hour, t0 + 12 * hour, false},
    }));
    CHECK(session_alive(*who, created, last_seen, now) == alive);
}
