// libFuzzer: JSON bodies of the API's state-changing routes, sent by an account allowed to use them, so the body
// reaches the field checks and the ticket rules. The first byte picks the route; the rest is the body.
#include "tests/fuzz/fuzz_app.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

namespace {

using namespace campusdesk;

struct route {
    http::verb method;
    const char* target;  // {} is a ticket of the teacher's school
    fuzzing::identity who;
};

constexpr route routes[] = {
    {http::verb::post, "/api/v1/tickets", fuzzing::identity::teacher},
    {http::verb::post, "/api/v1/tickets", fuzzing::identity::admin_bearer},
    {http::verb::post, "/api/v1/tickets/{}/replies", fuzzing::identity::teacher},
    {http::verb::post, "/api/v1/tickets/{}/replies", fuzzing::identity::manager},
    {http::verb::post, "/api/v1/tickets/{}/status", fuzzing::identity::manager},
    {http::verb::post, "/api/v1/tickets/{}/status", fuzzing::identity::teacher_bearer},
    {http::verb::post, "/api/v1/tickets/{}/priority", fuzzing::identity::dispatcher},
    {http::verb::post, "/api/v1/tickets/{}/assign", fuzzing::identity::dispatcher},
    {http::verb::post, "/api/v1/tickets/{}/escalate", fuzzing::identity::manager},
    {http::verb::put, "/api/v1/managers/1/absence", fuzzing::identity::dispatcher},
    {http::verb::put, "/api/v1/managers/2/absence", fuzzing::identity::admin_bearer},
};

// A ticket of the teacher's school, filed once, that the fuzzed actions then work on.
const std::string& ticket_number() {
    static const std::string number = [] {
        http_request req{http::verb::post, "/api/v1/tickets", 11};
        req.set(http::field::content_type, "application/json");
        req.body() = R"({"category":"ipad","priority":"normal","title":"Fuzz","description":"Ein Ticket zum Fuzzen."})";
        req.prepare_payload();
        fuzzing::authenticate_as(fuzzing::identity::teacher, req);
        auto res = fuzzing::run_request(req);
        auto value = boost::json::parse(res.body());
        if (res.result() != http::status::created) {
            std::fprintf(stderr, "fuzz: cannot file the ticket: %s\n", res.body().c_str());
            std::abort();
        }
        return std::string(value.at("number").as_string());
    }();
    return number;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto& r = routes[data[0] % std::size(routes)];
    http_request req{r.method, fmt::format(fmt::runtime(r.target), ticket_number()), 11};
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.body().assign(reinterpret_cast<const char*>(data + 1), size - 1);
    req.prepare_payload();
    fuzzing::authenticate_as(r.who, req);
    fuzzing::run_request(req);
    return 0;
}
