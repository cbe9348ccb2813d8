// LD_PRELOAD library for tests/behaviour/session: the wall clock stands still at FIXED_CLOCK_SECONDS (seconds since
// 1970, UTC). clock_gettime(CLOCK_REALTIME...), gettimeofday and time answer that moment; every other clock
// (monotonic, CPU time: timers, timeouts) is the real one, read with the system call. libfaketime would do the
// same, but it hangs with jemalloc (the allocator asks for the time while libfaketime is still starting).
// Test code only: nothing of the product uses it.
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>

namespace {

long long fixed_seconds() {
    static long long seconds = -1;  // set on first use; a race writes the same value twice
    if (seconds < 0) {
        const char* text = std::getenv("FIXED_CLOCK_SECONDS");
        seconds = text ? std::atoll(text) : 0;
    }
    return seconds;
}

bool is_wall_clock(clockid_t id) {
    return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
}

} // namespace

extern "C" {

int clock_gettime(clockid_t id, struct timespec* ts) {
    if (!is_wall_clock(id)) return static_cast<int>(syscall(SYS_clock_gettime, id, ts));
    ts->tv_sec = fixed_seconds();
    ts->tv_nsec = 0;
    return 0;
}

int gettimeofday(struct timeval* tv, void*) {
    if (tv) {
        tv->tv_sec = fixed_seconds();
        tv->tv_usec = 0;
    }
    return 0;
}

time_t time(time_t* out) {
    const time_t now = fixed_seconds();
    if (out) *out = now;
    return now;
}

}
