#include "server/http/route_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace campusdesk {
namespace {

constexpr auto patterns = std::to_array<std::string_view>({
    // The API (api_router.cpp, problem_api.cpp).
    "/api/v1/session", "/api/v1/me", "/api/v1/schools", "/api/v1/managers", "/api/v1/managers/{id}/absence",
    "/api/v1/partners", "/api/v1/reports/problems", "/api/v1/reports/sla", "/api/v1/tickets",
    "/api/v1/tickets/{number}", "/api/v1/tickets/{number}/attachments", "/api/v1/tickets/{number}/merge",
    "/api/v1/tickets/{number}/links", "/api/v1/tickets/{number}/{action}", "/api/v1/problems",
    "/api/v1/problems/{id}", "/api/v1/problems/{id}/{action}",
    "/api/v1/devices", "/api/v1/devices/import", "/api/v1/devices/problems", "/api/v1/devices/rates",
    "/api/v1/devices/{id}",
    "/api/v1/maintenance/plans", "/api/v1/maintenance/plans/{id}", "/api/v1/maintenance/plans/{id}/{action}",
    "/api/v1/maintenance/tasks", "/api/v1/maintenance/tasks/{id}", "/api/v1/maintenance/tasks/{id}/{action}",
    "/api/v1/reports/maintenance",
    // Operations and files (router.cpp).
    "/healthz", "/metrics", "/static/{name}",
    // Pages (page_router.cpp and the rooms' own page handlers).
    "/", "/login", "/logout", "/account", "/account/{action}",
    "/admin", "/admin/benutzer", "/admin/benutzer/{id}", "/admin/benutzer/{id}/{action}", "/admin/schulen",
    "/admin/schulen/{number}", "/admin/konfiguration",
    "/attachments/{id}", "/reports/sla",
    "/dispatch", "/dispatch/zuweisen", "/dispatch/undeliverable", "/dispatch/telefon", "/dispatch/absences",
    "/dispatch/absences/{id}", "/dispatch/absences/{id}/end", "/dispatch/mail", "/dispatch/mail/{id}",
    "/dispatch/mail/{id}/{action}",
    "/textbausteine", "/textbausteine/loeschen",
    "/stoerungen", "/stoerungen/", "/stoerungen/neu", "/stoerungen/{id}", "/stoerungen/{id}/{action}",
    "/tickets", "/tickets/new", "/tickets/{number}", "/tickets/{number}/{action}",
    "/visits", "/queue",
    "/geraete", "/geraete/import", "/geraete/{id}",
    "/wartung", "/wartung/neu", "/wartung/aufgaben/{id}", "/wartung/plaene/{id}", "/wartung/plaene/{id}/{action}",
    // Single sign-on (sso_pages.cpp): a provider's start and callback.
    "/sso/{provider}/{action}"});

constexpr std::size_t max_segments = 6;
struct segments {
    std::array<std::string_view, max_segments> items{};
    std::size_t count = 0;
    bool too_many = false;
};

// "/a/b" → {"a", "b"}; "/" → {}.
segments split(std::string_view path) {
    segments s;
    if (path.empty() || path.front() != '/') {
        s.too_many = true;  // not an origin-form path: never a route
        return s;
    }
    if (path == "/") return s;
    path.remove_prefix(1);
    for (;;) {
        if (s.count == max_segments) {
            s.too_many = true;
            return s;
        }
        const auto slash = path.find('/');
        s.items[s.count++] = path.substr(0, slash);
        if (slash == std::string_view::npos) return s;
        path.remove_prefix(slash + 1);
    }
}

bool is_placeholder(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

const std::array<segments, patterns.size()>& split_patterns() {
    static const auto table = [] {
        std::array<segments, patterns.size()> t;
        std::transform(patterns.begin(), patterns.end(), t.begin(), split);
        return t;
    }();
    return table;
}

bool matches(const segments& pattern, const segments& path) {
    if (pattern.count != path.count) return false;
    for (std::size_t i = 0; i < path.count; ++i)
        if (path.items[i] != pattern.items[i] && !(is_placeholder(pattern.items[i]) && !path.items[i].empty()))
            return false;
    return true;
}

} // namespace

std::span<const std::string_view> route_patterns() { return patterns; }

std::size_t route_index(std::string_view target) {
    const auto path = split(target.substr(0, target.find('?')));
    if (path.too_many) return patterns.size();
    const auto& table = split_patterns();
    for (std::size_t i = 0; i < table.size(); ++i)
        if (matches(table[i], path)) return i;
    return patterns.size();
}

std::string_view route_of(std::string_view target) {
    const auto i = route_index(target);
    return i < patterns.size() ? patterns[i] : other_route;
}

route_metrics::route_metrics() : slots_(std::make_unique<slot[]>((patterns.size() + 1) * methods.size())) {}

std::size_t route_metrics::method_index(http::verb method) {
    switch (method) {
    case http::verb::get: return 0;
    case http::verb::head: return 1;
    case http::verb::post: return 2;
    case http::verb::put: return 3;
    case http::verb::patch: return 4;
    case http::verb::delete_: return 5;
    default: return 6;
    }
}

void route_metrics::record(http::verb method, std::string_view target, unsigned status,
                           std::chrono::nanoseconds took) {
    auto& s = slots_[route_index(target) * methods.size() + method_index(method)];
    const double seconds = std::chrono::duration<double>(took).count();
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(latency_buckets.begin(), latency_buckets.end(), seconds) - latency_buckets.begin());
    s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    const std::size_t status_class = std::clamp<unsigned>(status / 100, 1, 5) - 1;
    s.by_status[status_class].fetch_add(1, std::memory_order_relaxed);
    s.nanoseconds.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(took.count(), 0)),
                            std::memory_order_relaxed);
}

void route_metrics::write(std::string& out) const {
    struct seen {
        std::string_view route, method;
        std::array<std::uint64_t, latency_buckets.size() + 1> buckets;
        std::array<std::uint64_t, status_classes.size()> by_status;
        std::uint64_t nanoseconds;
    };
    std::vector<seen> rows;
    for (std::size_t r = 0; r <= patterns.size(); ++r)
        for (std::size_t m = 0; m < methods.size(); ++m) {
            const auto& s = slots_[r * methods.size() + m];
            seen row{r < patterns.size() ? patterns[r] : other_route, methods[m], {}, {}, 0};
            std::uint64_t total = 0;
            for (std::size_t b = 0; b < row.buckets.size(); ++b)
                total += row.buckets[b] = s.buckets[b].load(std::memory_order_relaxed);
            if (total == 0) continue;
            for (std::size_t c = 0; c < row.by_status.size(); ++c)
                row.by_status[c] = s.by_status[c].load(std::memory_order_relaxed);
            row.nanoseconds = s.nanoseconds.load(std::memory_order_relaxed);
            rows.push_back(row);
        }
    out += "# HELP campusdesk_http_requests_total HTTP requests answered, by route pattern, method and status class.\n"
           "# TYPE campusdesk_http_requests_total counter\n";
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.by_status.size(); ++c)
            if (row.by_status[c] != 0)
                out += fmt::format("campusdesk_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                                   row.route, row.method, status_classes[c], row.by_status[c]);
    out += "# HELP campusdesk_http_request_duration_seconds Time from routing a request to its answer, by route "
           "pattern and method.\n# TYPE campusdesk_http_request_duration_seconds histogram\n";
    for (const auto& row : rows) {
        const auto labels = fmt::format("route=\"{}\",method=\"{}\"", row.route, row.method);
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < latency_buckets.size(); ++b) {
            cumulative += row.buckets[b];
            out += fmt::format("campusdesk_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                               latency_buckets[b], cumulative);
        }
        cumulative += row.buckets.back();
        out += fmt::format("campusdesk_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, cumulative);
        out += fmt::format("campusdesk_http_request_duration_seconds_sum{{{}}} {}\n", labels,
                           static_cast<double>(row.nanoseconds) / 1e9);
        out += fmt::format("campusdesk_http_request_duration_seconds_count{{{}}} {}\n", labels, cumulative);
    }
}

} // namespace campusdesk
