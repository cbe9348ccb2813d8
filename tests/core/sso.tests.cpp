#include "core/app_config.hpp"
#include "core/sso.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace campusdesk;

namespace {

id_token_claims good_claims() {
    return {"https://idp.example/realms/schulen", "sub-1", {"campusdesk"}, "", "n-1", 1'000'100, 1'000'000};
}
const id_token_expectation expected{"https://idp.example/realms/schulen", "campusdesk", "n-1", 1'000'050, 120};

oidc_provider school_provider() {
    oidc_provider p;
    p.id = "schule";
    p.claims.school = "schulnummer";
    p.roles = {{"", "it-admin", role::admin},
               {"", "campus-manager", role::campus_manager},
               {"roles", "helpdesk", role::dispatcher},
               {"", "lehrkraefte", role::teacher}};
    return p;
}

bool known_school(std::string_view n) { return n == "141017"; }
bool known_manager(std::string_view login) { return login == "manager01"; }

} // namespace

TEST_CASE("ID token claims: each wrong or missing claim is refused with its reason") {
    CHECK_FALSE(check_id_token_claims(good_claims(), expected));
    struct row {
        const char* name;
        void (*spoil)(id_token_claims&);
        const char* reason;
    };
    const row rows[] = {
        {"other issuer", [](id_token_claims& c) { c.iss = "https://evil.example"; }, "wrong_issuer"},
        {"issuer with a trailing slash", [](id_token_claims& c) { c.iss += "/"; }, "wrong_issuer"},
        {"other audience", [](id_token_claims& c) { c.aud = {"another"}; }, "wrong_audience"},
        {"no audience", [](id_token_claims& c) { c.aud.clear(); }, "wrong_audience"},
        {"several audiences without azp", [](id_token_claims& c) { c.aud.push_back("another"); }, "wrong_authorized_party"},
        {"azp of another client", [](id_token_claims& c) { c.azp = "another"; }, "wrong_authorized_party"},
        {"no subject", [](id_token_claims& c) { c.sub.clear(); }, "no_subject"},
        {"no exp", [](id_token_claims& c) { c.exp.reset(); }, "no_expiry"},
        {"expired beyond the skew", [](id_token_claims& c) { c.exp = 1'000'050 - 120; }, "expired"},
        {"no iat", [](id_token_claims& c) { c.iat.reset(); }, "no_issued_at"},
        {"issued in the future beyond the skew", [](id_token_claims& c) { c.iat = 1'000'050 + 121; }, "issued_in_future"},
        {"no nonce", [](id_token_claims& c) { c.nonce.reset(); }, "wrong_nonce"},
        {"another login's nonce", [](id_token_claims& c) { c.nonce = "n-2"; }, "wrong_nonce"},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        auto c = good_claims();
        r.spoil(c);
        const auto refused = check_id_token_claims(c, expected);
        REQUIRE(refused);
        CHECK(*refused == r.reason);
    }
}

TEST_CASE("ID token claims: the clock skew is allowed, and an empty expected nonce matches nothing") {
    auto c = good_claims();
    c.exp = 1'000'050 - 119;  // expired a little less than the skew ago
    c.iat = 1'000'050 + 120;  // issued up to the skew ahead of our clock
    CHECK_FALSE(check_id_token_claims(c, expected));
    c = good_claims();
    c.aud = {"campusdesk", "another"};
    c.azp = "campusdesk";
    CHECK_FALSE(check_id_token_claims(c, expected));
    auto no_nonce = expected;
    no_nonce.nonce.clear();
    c = good_claims();
    c.nonce = "";
    CHECK(check_id_token_claims(c, no_nonce) == std::optional<std::string>("wrong_nonce"));
}

TEST_CASE("SSO mapping: roles from groups or claims, the first rule wins, a teacher's school from a claim") {
    const auto p = school_provider();
    auto map = [&](claim_values claims) { return map_identity(p, claims, known_school, known_manager); };
    struct row {
        const char* name;
        claim_values claims;
        std::optional<role> who;  // nullopt: unmapped with `why`
        sso_unmapped::reason why = sso_unmapped::reason::no_role;
    };
    const std::vector<row> rows{
        {"teacher of a known school",
         {{"preferred_username", {"t1"}}, {"groups", {"lehrkraefte"}}, {"schulnummer", {"141017"}}},
         role::teacher},
        {"admin comes first although also a teacher",
         {{"preferred_username", {"a1"}}, {"groups", {"lehrkraefte", "it-admin"}}, {"schulnummer", {"141017"}}},
         role::admin},
        {"dispatcher from another claim", {{"preferred_username", {"d1"}}, {"roles", {"helpdesk"}}}, role::dispatcher},
        {"campus manager in managers.csv", {{"preferred_username", {"manager01"}}, {"groups", {"campus-manager"}}},
         role::campus_manager},
        {"campus manager not in managers.csv", {{"preferred_username", {"m9"}}, {"groups", {"campus-manager"}}},
         std::nullopt, sso_unmapped::reason::not_a_manager},
        {"no group at all", {{"preferred_username", {"p1"}}}, std::nullopt, sso_unmapped::reason::no_role},
        {"a group that maps to nothing", {{"preferred_username", {"p1"}}, {"groups", {"schueler"}}}, std::nullopt,
         sso_unmapped::reason::no_role},
        {"a value in the wrong claim", {{"preferred_username", {"p1"}}, {"groups", {"helpdesk"}}}, std::nullopt,
         sso_unmapped::reason::no_role},
        {"teacher without school", {{"preferred_username", {"t2"}}, {"groups", {"lehrkraefte"}}}, std::nullopt,
         sso_unmapped::reason::no_school},
        {"teacher of an unknown school",
         {{"preferred_username", {"t3"}}, {"groups", {"lehrkraefte"}}, {"schulnummer", {"999999"}}}, std::nullopt,
         sso_unmapped::reason::unknown_school},
        {"no login", {{"groups", {"it-admin"}}}, std::nullopt, sso_unmapped::reason::no_login},
        {"login with a blank", {{"preferred_username", {"a b"}}, {"groups", {"it-admin"}}}, std::nullopt,
         sso_unmapped::reason::no_login},
        {"login with a control character", {{"preferred_username", {"a\nb"}}, {"groups", {"it-admin"}}}, std::nullopt,
         sso_unmapped::reason::no_login},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        const auto mapped = map(r.claims);
        if (r.who) {
            REQUIRE(std::holds_alternative<sso_identity>(mapped));
            CHECK(std::get<sso_identity>(mapped).who == *r.who);
        } else {
            REQUIRE(std::holds_alternative<sso_unmapped>(mapped));
            CHECK(std::get<sso_unmapped>(mapped).why == r.why);
        }
    }
}

TEST_CASE("SSO mapping: name and e-mail fall back or are dropped when unusable") {
    const auto p = school_provider();
    auto mapped = map_identity(p, {{"preferred_username", {"a1"}}, {"groups", {"it-admin"}}, {"email", {"not-mail"}}},
                               known_school, known_manager);
    REQUIRE(std::holds_alternative<sso_identity>(mapped));
    CHECK(std::get<sso_identity>(mapped).name == "a1");
    CHECK(std::get<sso_identity>(mapped).email.empty());
    CHECK(std::get<sso_identity>(mapped).school_number.empty());
    CHECK(mapping_needs_more_claims(p, {{"preferred_username", {"a1"}}, {"groups", {"it-admin"}}}));
    CHECK_FALSE(mapping_needs_more_claims(p, {{"preferred_username", {"a1"}}, {"name", {"A"}}, {"email", {"a@b.de"}},
                                              {"groups", {}}, {"roles", {}}, {"schulnummer", {"1"}}}));
}

TEST_CASE("SSO config: password logins, provider lookup") {
    oidc_config c;
    CHECK(c.password_login_allowed("anyone"));
    c.password_logins = {"admin"};
    CHECK(c.password_login_allowed("admin"));
    CHECK_FALSE(c.password_login_allowed("teacher-1"));
    c.providers.push_back(school_provider());
    CHECK(c.find("schule"));
    CHECK_FALSE(c.find("other"));
}

TEST_CASE("SSO config: the commented example of campusdesk.toml parses once uncommented") {
    const auto dir = std::filesystem::path(CAMPUSDESK_SOURCE_DIR) / "config";
    auto read = [](const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    config_texts t;
    t.toml_path = (dir / "campusdesk.toml").string();
    t.toml = read(t.toml_path);
    // Uncomment the block from "#[oidc]" to the end of the roles list.
    const auto from = t.toml.find("#[oidc]");
    REQUIRE(from != std::string::npos);
    std::istringstream lines(t.toml.substr(from));
    std::string line, section;
    while (std::getline(lines, line)) {
        if (!line.starts_with("#")) break;
        if (line == "#" || (line.starts_with("# ") && line.size() > 2 && line[2] != ' ')) continue;  // prose
        section += line.substr(1) + "\n";
    }
    t.toml = t.toml.substr(0, from) + section;
    t.schools_path = (dir / "schools.csv").string();
    t.managers_path = (dir / "managers.csv").string();
    t.schools_csv = read(t.schools_path);
    t.managers_csv = read(t.managers_path);
    const auto names = std::get<config_file_names>(parse_config_file_names(t.toml, t.toml_path));
    t.holidays_path = (dir / names.holidays).string();
    t.holidays_toml = read(t.holidays_path);
    const auto result = parse_config(t);
    if (const auto* errors = std::get_if<std::vector<config_error>>(&result))
        for (const auto& e : *errors) FAIL(format_config_error(e));
    const auto& c = std::get<app_config>(result);
    REQUIRE(c.oidc.providers.size() == 1);
    CHECK(c.oidc.password_logins == std::vector<std::string>{"admin"});
    CHECK(c.oidc.providers[0].roles.size() == 4);
    CHECK(c.oidc.providers[0].roles[0].who == role::admin);
    CHECK(c.oidc.providers[0].claims.school == "schulnummer");
}
