// A provider's config (issue 21, docs/tenants.md): [provider] and [[tenants]], every mistake reported with its line.
#include "core/provider_config.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace campusdesk;

namespace {

const std::string two_tenants = R"(
[provider]
name = "KISA"
listen = "0.0.0.0:8443"
data_dir = "/var/lib/campusdesk"
threads = 4
cache_mb_per_connection = 4
host = "anbieter.schulen.example"
public_url = "https://anbieter.schulen.example"

[[tenants]]
slug = "pirna"
name = "Schul-IT Pirna"
hosts = ["pirna.schulen.example", "schulen-pirna.example"]
config = "pirna/campusdesk.toml"

[[tenants]]
slug = "worms-2"
name = "Schul-IT Worms"
hosts = ["worms.schulen.example"]
config = "/etc/campusdesk/worms.toml"
)";

std::string errors_of(const std::string& text) {
    const auto parsed = parse_provider_config(text, "provider.toml");
    const auto* errors = std::get_if<std::vector<config_error>>(&parsed);
    if (!errors) return {};
    std::string out;
    for (const auto& e : *errors) out += format_config_error(e) + "\n";
    return out;
}

std::string tenant(const std::string& slug, const std::string& hosts, const std::string& extra = {}) {
    return "[[tenants]]\nslug = \"" + slug + "\"\nname = \"T\"\nhosts = " + hosts + "\nconfig = \"t.toml\"\n" + extra;
}

} // namespace

TEST_CASE("a provider's config names its tenants with their hosts and configs", "[config][tenants]") {
    REQUIRE(is_provider_config(two_tenants));
    const auto parsed = parse_provider_config(two_tenants, "provider.toml");
    REQUIRE(std::holds_alternative<provider_config>(parsed));
    const auto& c = std::get<provider_config>(parsed);
    CHECK(c.name == "KISA");
    CHECK(c.listen == "0.0.0.0:8443");
    CHECK(c.data_dir == "/var/lib/campusdesk");
    CHECK(c.threads == 4);
    CHECK(c.cache_mb_per_connection == 4);
    CHECK(c.host == "anbieter.schulen.example");
    CHECK(c.served_over_https());
    REQUIRE(c.tenants.size() == 2);
    CHECK(c.tenants[0].slug == "pirna");
    CHECK(c.tenants[0].hosts == std::vector<std::string>{"pirna.schulen.example", "schulen-pirna.example"});
    CHECK(c.tenants[0].config == "pirna/campusdesk.toml");
    CHECK(c.tenants[1].slug == "worms-2");
    REQUIRE(c.find("worms-2") != nullptr);
    CHECK(c.find("worms-2")->name == "Schul-IT Worms");
    CHECK(c.find("worms") == nullptr);
}

TEST_CASE("one authority's config is not a provider's", "[config][tenants]") {
    std::ifstream in(std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml");
    std::stringstream text;
    text << in.rdbuf();
    REQUIRE(!text.str().empty());
    CHECK_FALSE(is_provider_config(text.str()));
    CHECK_FALSE(is_provider_config("this is [not toml"));
    CHECK(is_provider_config("[provider]\n"));
    CHECK(is_provider_config(tenant("a", "[\"a.example\"]")));
}

TEST_CASE("the demo provider's config is valid", "[config][tenants]") {
    std::ifstream in(std::string(CAMPUSDESK_SOURCE_DIR) + "/config/provider-demo.toml");
    std::stringstream text;
    text << in.rdbuf();
    const auto parsed = parse_provider_config(text.str(), "provider-demo.toml");
    REQUIRE(std::holds_alternative<provider_config>(parsed));
    const auto& c = std::get<provider_config>(parsed);
    REQUIRE(c.tenants.size() == 2);
    CHECK(c.tenants[0].hosts.front() == "sachsen.localhost");
    CHECK(c.tenants[1].hosts.front() == "rlp.localhost");
}

TEST_CASE("every mistake in a provider's config is reported with its line", "[config][tenants]") {
    struct bad {
        std::string text;
        const char* says;
    };
    const auto b = GENERATE(values<bad>({
        {"[provider]\nhost = \"a.example\"\n", "provider.toml:0: tenants: at least one [[tenants]] is needed"},
        {"[provider]\nlisten = \"8080\"\n" + tenant("a", "[\"a.example\"]"), ":2: provider.listen: must be ADDR:PORT"},
        {"[provider]\nthreads = -1\n" + tenant("a", "[\"a.example\"]"), ":2: provider.threads"},
        {"[provider]\ncache_mb_per_connection = 0\n" + tenant("a", "[\"a.example\"]"), ":2: provider.cache_mb_per_connection"},
        {"[provider]\nhost = \"Anbieter.Example\"\n" + tenant("a", "[\"a.example\"]"), ":2: provider.host: must be a host name"},
        {"[provider]\nhost = \"a.example:8080\"\n" + tenant("a", "[\"a.example\"]"), "provider.host: must be a host name"},
        {"[provider]\npublic_url = \"ftp://x\"\n" + tenant("a", "[\"a.example\"]"), "provider.public_url"},
        {"[provider]\nlisen = \"x\"\n" + tenant("a", "[\"a.example\"]"), ":2: provider.lisen: unknown key"},
        {"[server]\nlisten = \"x:1\"\n" + tenant("a", "[\"a.example\"]"), "server: unknown key"},
        {tenant("A", "[\"a.example\"]"), "tenants[0].slug: must be 1 to 40 of a-z"},
        {tenant("-a", "[\"a.example\"]"), "tenants[0].slug"},
        {tenant("a/b", "[\"a.example\"]"), "tenants[0].slug"},
        {tenant("a", "[]"), "tenants[0].hosts: must be a non-empty list"},
        {tenant("a", "\"a.example\""), "tenants[0].hosts: must be a non-empty list"},
        {tenant("a", "[\"a..example\"]"), "tenants[0].hosts: must be a host name"},
        {tenant("a", "[\"a_b.example\"]"), "tenants[0].hosts: must be a host name"},
        {tenant("a", "[\"a.example\", \"a.example\"]"), "\"a.example\" is listed twice"},
        {tenant("a", "[\"a.example\"]", "colour = \"blue\"\n"), "tenants[0].colour: unknown key"},
        {"[[tenants]]\nslug = \"a\"\nhosts = [\"a.example\"]\nconfig = \"t.toml\"\n", "tenants[0].name: is required"},
        {"[[tenants]]\nslug = \"a\"\nname = \"A\"\nhosts = [\"a.example\"]\n", "tenants[0].config: is required"},
        {"[[tenants]]\nname = \"A\"\nhosts = [\"a.example\"]\nconfig = \"t.toml\"\n", "tenants[0].slug: is required"},
        {tenant("a", "[\"a.example\"]") + tenant("a", "[\"b.example\"]"), "tenants[1].slug: \"a\" is the slug of another tenant"},
        {tenant("a", "[\"a.example\"]") + tenant("b", "[\"a.example\"]"),
         "tenants[1].hosts: \"a.example\" is a host name of tenant \"a\" already"},
        {"[provider]\nhost = \"a.example\"\n" + tenant("a", "[\"a.example\"]"), "is the provider's host"},
        {"tenants = 3\n", "tenants: must be an array of tables"},
        {"[provider\n", "syntax"},
    }));
    INFO(b.text);
    const auto errors = errors_of(b.text);
    INFO(errors);
    CHECK(errors.find(b.says) != std::string::npos);
}

TEST_CASE("a Host header's name is compared without port, case or a final dot", "[config][tenants]") {
    struct example {
        const char* header;
        const char* part;
        bool is_a;  // same host as "a.schulen.example"
    };
    const auto e = GENERATE(values<example>({
        {"a.schulen.example", "a.schulen.example", true},
        {"a.schulen.example:8080", "a.schulen.example", true},
        {"A.Schulen.EXAMPLE:443", "A.Schulen.EXAMPLE", true},
        {"a.schulen.example.", "a.schulen.example", true},
        {"a.schulen.example.:80", "a.schulen.example", true},
        {"b.schulen.example", "b.schulen.example", false},
        {"a.schulen.example.evil", "a.schulen.example.evil", false},
        {"xa.schulen.example", "xa.schulen.example", false},
        {"a.schulen.exampl", "a.schulen.exampl", false},
        {"", "", false},
        {"[::1]:8080", "[::1]", false},
        {"127.0.0.1:8080", "127.0.0.1", false},
    }));
    INFO(e.header);
    CHECK(host_part(e.header) == e.part);
    CHECK(same_host(host_part(e.header), "a.schulen.example") == e.is_a);
}
