#include "server/http/log.hpp"

#include "server/http/json_writer.hpp"

#include <boost/json/object.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace campusdesk {
namespace {

struct level_names {
    std::string_view name;             // the line's "level"
    std::string_view syslog_priority;  // journald's prefix (see stderr_is_journal)
};

level_names names_of(log_level level) {
    switch (level) {
    case log_level::info: return {"info", "<6>"};
    case log_level::warning: return {"warning", "<4>"};
    case log_level::error: return {"error", "<3>"};
    }
    return {"info", "<6>"};
}

std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(security_event::count_)> security_counts{};

boost::json::object start_line(log_level level, std::string_view msg) {
    using namespace std::chrono;
    boost::json::object line;
    line["ts"] = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    line["level"] = names_of(level).name;
    line["msg"] = msg;
    return line;
}

// Under systemd, stderr is a stream to the journal, named by $JOURNAL_STREAM ("device:inode"). Only then does a
// line start with its syslog priority ("<4>"), which journald takes off and stores, so that `journalctl -p warning`
// finds warnings and errors; a terminal, a pipe or a redirected file gets the plain JSON line.
bool stderr_is_journal() {
    static const bool journal = [] {
        const char* stream = std::getenv("JOURNAL_STREAM");
        unsigned long long device = 0, inode = 0;
        struct stat st {};
        return stream && std::sscanf(stream, "%llu:%llu", &device, &inode) == 2 && ::fstat(STDERR_FILENO, &st) == 0 &&
               st.st_dev == device && st.st_ino == inode;
    }();
    return journal;
}

void write_line(log_level level, const boost::json::object& line, std::initializer_list<log_field> fields) {
    boost::json::object full = line;
    for (const auto& [name, value] : fields) full[name] = value;
    json_writer w;
    w.value(full);
    std::string text = stderr_is_journal() ? std::string(names_of(level).syslog_priority) + w.take() : w.take();
    text += '\n';
    // One fwrite per line: stdio locks the stream, so lines of concurrent threads never interleave.
    std::fwrite(text.data(), 1, text.size(), stderr);
}

} // namespace

void log_line(log_level level, std::string_view msg, std::initializer_list<log_field> fields) {
    write_line(level, start_line(level, msg), fields);
}

std::string_view to_string(security_event e) {
    switch (e) {
    case security_event::login_succeeded: return "login_succeeded";
    case security_event::login_failed: return "login_failed";
    case security_event::login_throttled: return "login_throttled";
    case security_event::logout: return "logout";
    case security_event::password_changed: return "password_changed";
    case security_event::token_created: return "token_created";
    case security_event::sessions_revoked: return "sessions_revoked";
    case security_event::permission_denied: return "permission_denied";
    case security_event::csrf_rejected: return "csrf_rejected";
    case security_event::session_rejected: return "session_rejected";
    case security_event::sso_login_succeeded: return "sso_login_succeeded";
    case security_event::sso_login_failed: return "sso_login_failed";
    case security_event::count_: break;
    }
    return "unknown";
}

void log_security(security_event event, std::initializer_list<log_field> fields) {
    ++security_counts[static_cast<std::size_t>(event)];
    const bool suspicious = event == security_event::login_throttled || event == security_event::csrf_rejected ||
                            event == security_event::session_rejected || event == security_event::sso_login_failed;
    const auto level = suspicious ? log_level::warning : log_level::info;
    auto line = start_line(level, "security");
    line["event"] = to_string(event);
    write_line(level, line, fields);
}

std::uint64_t security_event_count(security_event event) {
    return security_counts[static_cast<std::size_t>(event)].load();
}

} // namespace campusdesk
