// campusdesk: the helpdesk of a city's school IT support.
#include "server/cli/cli.hpp"

#include <execinfo.h>
#include <initializer_list>
#include <signal.h>
#include <unistd.h>

namespace {

// A crash leaves the calls that led to it on stderr (the journal under systemd, the log of a test run), so that a
// crash seen once can be found afterwards: a frame "campusdesk(+0x1a2b3c)" resolves with
// `addr2line -Cfe /usr/bin/campusdesk 0x1a2b3c`. Then the signal's default action, so the exit status and a core
// dump are what they would have been. Only async-signal-safe calls here: write, backtrace (loaded beforehand, see
// report_crashes) and backtrace_symbols_fd.
extern "C" void report_fatal_signal(int signal) {
    static constexpr char heading[] = "campusdesk: fatal signal, the calls that led to it:\n";
    [[maybe_unused]] const auto written = write(STDERR_FILENO, heading, sizeof heading - 1);
    void* frames[64];
    backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
    raise(signal);  // SA_RESETHAND restored the default action
}

// Under a sanitizer, which reports a crash itself and with more, the handlers are left to it.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
constexpr bool sanitized = __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||
                           __has_feature(memory_sanitizer);
#else
constexpr bool sanitized = false;
#endif

void report_crashes() {
    if (sanitized) return;
    void* first[1];
    backtrace(first, 1);  // loads the unwinder now: its first use allocates, which a signal handler must not
    struct sigaction action {};
    action.sa_handler = report_fatal_signal;
    action.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(s, &action, nullptr);
}

} // namespace

int main(int argc, char** argv) {
    report_crashes();
    return campusdesk::run_cli(argc, argv);
}
