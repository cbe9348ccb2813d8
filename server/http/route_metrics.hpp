// Request counts and latency histograms per route for /metrics. A route is the pattern a request matched
// ("/api/v1/tickets/{number}"), never the raw path: the table of patterns is fixed, so the number of series is
// bounded whatever clients ask for (anything else counts as "other").
//
// Recording is lock-free and allocation-free: every (route, method) pair owns a fixed slot of relaxed atomic
// counters, created once with the app. Reading (a scrape) loads them without stopping writers; a scrape taken
// while requests finish may see a bucket one request ahead of another, as any Prometheus client library does.
#pragma once

#include "server/http/net.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace campusdesk {

// The route patterns, in matching order (the first that matches wins: literals before placeholders). `{…}`
// stands for one path segment. A route added to the routers belongs here too, or its requests count as "other".
std::span<const std::string_view> route_patterns();
inline constexpr std::string_view other_route = "other";

// The index of the pattern `target` (path and query, as sent) matches in route_patterns(), or
// route_patterns().size() for "other".
std::size_t route_index(std::string_view target);
// The pattern of route_index(target), or "other".
std::string_view route_of(std::string_view target);

// Upper bounds of the latency histogram's buckets in seconds (+Inf follows).
inline constexpr std::array<double, 13> latency_buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                        0.25,  0.5,    1.0,   2.5,   5.0,   10.0};

class route_metrics {
public:
    route_metrics();
    route_metrics(const route_metrics&) = delete;
    route_metrics& operator=(const route_metrics&) = delete;

    void record(http::verb method, std::string_view target, unsigned status, std::chrono::nanoseconds took);

    // Appends campusdesk_http_requests_total and campusdesk_http_request_duration_seconds in the text format;
    // only (route, method) pairs that have seen a request appear.
    void write(std::string& out) const;

private:
    static constexpr std::array<std::string_view, 7> methods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "other"};
    static constexpr std::array<std::string_view, 5> status_classes{"1xx", "2xx", "3xx", "4xx", "5xx"};
    struct slot {
        std::array<std::atomic<std::uint64_t>, latency_buckets.size() + 1> buckets{};  // not cumulative; last: +Inf
        std::array<std::atomic<std::uint64_t>, status_classes.size()> by_status{};
        std::atomic<std::uint64_t> nanoseconds{0};
    };
    static std::size_t method_index(http::verb method);

    std::unique_ptr<slot[]> slots_;  // (routes + other) × methods
};

} // namespace campusdesk
