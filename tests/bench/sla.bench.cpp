// Benchmark of the SLA engine and the business calendar (targets in the brief: 1,000,000 eight-event
// histories in < 2 s on one core; business_ms over a year < 5 µs).
#include "core/business_calendar.hpp"
#include "core/local_time.hpp"
#include "core/sla.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

using namespace campusdesk;

namespace {

constexpr std::int64_t minute = 60'000;
constexpr std::size_t histories = 1'000'000;
constexpr std::size_t events_per_history = 8;
constexpr int runs = 5;

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::string list(const std::vector<double>& v, double scale, const char* format) {
    std::string out;
    for (double x : v) out += (out.empty() ? "" : " ") + fmt::format(fmt::runtime(format), x * scale);
    return out;
}

// A realistic mix: created, first reply, waiting on the requester, the system's reopen to open, a priority
// change, a note, resolved, then reopened or closed. Every tenth history comes unsorted.
std::vector<ticket_event> make_histories(std::mt19937_64& rng, std::vector<time_ms>& nows) {
    std::vector<ticket_event> events;
    events.reserve(histories * events_per_history);
    nows.reserve(histories);
    const time_ms first = *parse_iso8601("2025-01-01T00:00:00Z");
    std::uniform_int_distribution<std::int64_t> start(0, 2 * 365 * 1440);
    std::uniform_int_distribution<std::int64_t> gap(0, 2 * 1440);
    std::uniform_int_distribution<int> prio(0, 3);
    for (std::size_t h = 0; h < histories; ++h) {
        time_ms t = first + start(rng) * minute;
        const std::size_t begin = events.size();
        const auto push = [&](event_kind kind, bool staff) -> ticket_event& {
            ticket_event e;
            e.seq = static_cast<std::int64_t>(events.size() - begin) + 1;
            e.at = t;
            e.kind = kind;
            e.by_staff = staff;
            events.push_back(e);
            t += gap(rng) * minute;
            return events.back();
        };
        push(event_kind::created, false).to_priority = all_priorities[prio(rng)];
        push(event_kind::public_reply, true);
        push(event_kind::status_changed, true).to_status = status::waiting_on_requester;
        push(event_kind::status_changed, true).to_status = status::open;
        push(event_kind::priority_changed, true).to_priority = all_priorities[prio(rng)];
        push(event_kind::internal_note, true);
        push(event_kind::resolved, true);
        if (h % 2 == 0) push(event_kind::reopened, false);
        else push(event_kind::closed, true);
        if (h % 10 == 0) std::shuffle(events.begin() + static_cast<std::ptrdiff_t>(begin), events.end(), rng);
        // "now" anywhere from shortly after creation to after the last event
        nows.push_back(events[begin].at + (t - events[begin].at) * static_cast<std::int64_t>(h % 7 + 1) / 6);
    }
    return events;
}

} // namespace

int main() {
    std::mt19937_64 rng(20261005);
    const auto build_start = std::chrono::steady_clock::now();
    const business_calendar calendar(business_calendar_config::defaults());
    const double build_seconds = seconds_since(build_start);
    const sla_policy policy;

    std::vector<time_ms> nows;
    const std::vector<ticket_event> events = make_histories(rng, nows);

    // (a) evaluate_sla over all histories, single thread.
    std::vector<double> sla_runs;
    std::int64_t checksum = 0;
    for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t h = 0; h < histories; ++h) {
            const std::span<const ticket_event> history(events.data() + h * events_per_history, events_per_history);
            const sla_result r = evaluate_sla(history, policy, calendar, nows[h]);
            checksum += r.resolution.used_ms + r.first_response.used_ms + static_cast<int>(r.resolution.verdict);
        }
        sla_runs.push_back(seconds_since(start));
    }

    // (b) business_ms between instants a year apart, and add_business_ms of a resolution target.
    constexpr std::size_t pairs = 1'000'000;
    std::vector<time_ms> froms(pairs);
    std::uniform_int_distribution<time_ms> when(*parse_iso8601("2025-01-01T00:00:00Z"),
                                                *parse_iso8601("2027-01-01T00:00:00Z"));
    for (auto& f : froms) f = when(rng);
    constexpr time_ms year = 365LL * 24 * 60 * minute;
    std::vector<double> ms_runs, add_runs;
    for (int run = 0; run < runs; ++run) {
        auto start = std::chrono::steady_clock::now();
        for (const time_ms f : froms) checksum += calendar.business_ms(f, f + year);
        ms_runs.push_back(seconds_since(start) / pairs);
        start = std::chrono::steady_clock::now();
        for (const time_ms f : froms) checksum += calendar.add_business_ms(f, 2700 * minute);
        add_runs.push_back(seconds_since(start) / pairs);
    }

    fmt::print("sla_bench: calendar construction (2000-2100 table): {:.1f} ms\n", build_seconds * 1e3);
    fmt::print("sla_bench: evaluate_sla {} histories x {} events, single thread: median {:.3f} s "
               "({:.0f} ns/history; runs: {})\n",
               histories, events_per_history, median(sla_runs), median(sla_runs) / histories * 1e9,
               list(sla_runs, 1.0, "{:.3f}"));
    fmt::print("sla_bench: business_ms one year apart: median {:.1f} ns/op (runs: {})\n", median(ms_runs) * 1e9,
               list(ms_runs, 1e9, "{:.1f}"));
    fmt::print("sla_bench: add_business_ms 2700 min: median {:.1f} ns/op (runs: {})\n", median(add_runs) * 1e9,
               list(add_runs, 1e9, "{:.1f}"));
    fmt::print("sla_bench: checksum {}\n", checksum);
}
