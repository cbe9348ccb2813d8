#include "tests/server/imap_server.hpp"

#include <boost/asio.hpp>
#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace campusdesk::testing {
namespace {

unsigned short free_port() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

} // namespace

imap_server::imap_server() {
    const auto& d = dir_.path;
    std::filesystem::create_directories(d / "run");
    std::filesystem::create_directories(d / "home");
    // Dovecot never gives mail processes uid 0: as root the mail belongs to nobody; as a normal user, to that user.
    const bool root = root_ = geteuid() == 0;
    const passwd* self = getpwuid(geteuid());
    const group* self_group = getgrgid(getegid());
    std::string user_line, login_users;
    if (root) {
        user_line = "uid=nobody gid=nogroup";
        const passwd* nobody = getpwnam("nobody");
        const group* nogroup = getgrnam("nogroup");
        if (!nobody || !nogroup || chown((d / "home").c_str(), nobody->pw_uid, nogroup->gr_gid) != 0)
            throw std::runtime_error("imap_server: cannot hand the mail directory to nobody");
        std::filesystem::permissions(d, std::filesystem::perms::others_exec, std::filesystem::perm_options::add);
    } else {
        user_line = fmt::format("uid={} gid={}", geteuid(), getegid());
        login_users = fmt::format("default_login_user = {0}\ndefault_internal_user = {0}\n"
                                  "default_internal_group = {1}\n",
                                  self ? self->pw_name : "", self_group ? self_group->gr_name : "");
    }
    std::ofstream(d / "passwd") << fmt::format("{}:{{PLAIN}}{}::::::\n", user, password);
    port_ = free_port();
    std::ofstream(d / "dovecot.conf") << fmt::format(R"(base_dir = {0}/run
state_dir = {0}/state
log_path = {0}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
{3}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {0}/passwd
}}
userdb {{
  driver = static
  args = {2} home={0}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {1}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
)",
                                                     d.string(), port_, user_line, login_users);
    std::vector<std::string> args{"/usr/sbin/dovecot", "-F", "-c", (d / "dovecot.conf").string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("could not start dovecot");
    for (int i = 0; i < 100; ++i) {
        if (run_program({"curl", "-s", "--url", url(), "--user", fmt::format("{}:{}", user, password), "-X", "NOOP"}).status == 0)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("dovecot did not start; see " + (d / "dovecot.log").string());
}

imap_server::~imap_server() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
}

std::string imap_server::url(const std::string& mailbox) const {
    return fmt::format("imap://127.0.0.1:{}/{}", port_, mailbox);
}

std::map<std::string, std::string> imap_server::config_lines() const {
    return {{"mail", "enabled = true\nfrom = \"IT-Schulcampus <helpdesk@schulen.example.de>\"\n"
                     "reply_address = \"helpdesk+{token}@schulen.example.de\""},
            {"mail.smtp", "url = \"smtp://127.0.0.1:9\"\ntls = \"off\""},
            {"mail.imap", fmt::format("url = \"{}\"\ntls = \"off\"\nuser = \"{}\"\npassword = \"{}\"\npoll_seconds = 1",
                                      url(), user, password)}};
}

void imap_server::append(const std::string& raw, const std::string& mailbox) {
    const auto file = dir_.path / "append.eml";
    std::ofstream(file, std::ios::binary) << raw;
    const auto r = run_program({"curl", "-s", "-S", "--url", url(mailbox), "--user",
                                fmt::format("{}:{}", user, password), "-T", file.string()});
    if (r.status != 0) throw std::runtime_error("IMAP APPEND failed: " + r.err);
}

void imap_server::drop_into_inbox(const std::vector<std::string>& raws) {
    count("INBOX");  // the first login makes the maildir
    const auto maildir = dir_.path / "home" / user / "Maildir";
    struct stat info {};
    if (stat(maildir.c_str(), &info) != 0) throw std::runtime_error("no maildir at " + maildir.string());
    for (std::size_t i = 0; i < raws.size(); ++i) {
        const auto name = fmt::format("{}.M{}P{}.campusdesk-test", 1700000000 + i, i, getpid());
        const auto tmp = maildir / "tmp" / name;
        std::ofstream(tmp, std::ios::binary) << raws[i];
        if (root_ && chown(tmp.c_str(), info.st_uid, info.st_gid) != 0) throw std::runtime_error("chown failed");
        std::filesystem::rename(tmp, maildir / "new" / name);
    }
}

std::size_t imap_server::count(const std::string& mailbox) const {
    const auto r = run_program({"curl", "-s", "--url", url(mailbox), "--user", fmt::format("{}:{}", user, password),
                                "-X", "UID SEARCH ALL"});
    if (r.status != 0) return 0;
    const auto& out = r.out;
    const auto at = out.find("* SEARCH");
    if (at == std::string::npos) return 0;
    std::size_t n = 0;
    const auto line = out.substr(at + 8, out.find('\n', at) - at - 8);
    for (std::size_t i = 0; i < line.size(); ++i)
        if (std::isdigit(static_cast<unsigned char>(line[i])) && (i == 0 || line[i - 1] == ' ')) ++n;
    return n;
}

bool imap_server::wait_until_taken(std::size_t expected, int seconds) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
        if (count("INBOX") == 0 && count("campusdesk-verarbeitet") == expected) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
}

} // namespace campusdesk::testing
