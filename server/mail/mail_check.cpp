#include "server/mail/mail_check.hpp"

#include "server/mail/mime.hpp"
#include "server/mail/notification_mail.hpp"

#include <fmt/format.h>

namespace campusdesk {
namespace {

// "smtp://host:587" -> "host"
std::string url_host(const std::string& url) {
    const auto start = url.find("://");
    if (start == std::string::npos) return "";
    auto host = url.substr(start + 3);
    if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
    if (!host.empty() && host.front() == '[') return host.substr(1, host.find(']') - 1);
    return host.substr(0, host.find_first_of(":/"));
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

} // namespace

mail_check check_mail_config(const app_config& config, const std::filesystem::path& templates_dir) {
    mail_check c;
    const auto& m = config.mail;
    if (!m.enabled) {
        c.summary = "mail: disabled (nothing is queued or sent)";
        return c;
    }
    c.summary = fmt::format("mail: enabled, SMTP {} (tls {}{}), retries {} times", m.smtp.url, m.smtp.tls,
                            m.smtp.user.empty() ? ", no AUTH" : ", AUTH as " + m.smtp.user, m.retry.max_attempts);
    if (!mailbox_address(m.from)) c.errors.push_back(fmt::format("mail.from: \"{}\" is not one mail address", m.from));
    try {
        load_mail_templates(templates_dir);
    } catch (const std::exception& e) {
        c.errors.push_back(fmt::format("mail templates ({}): {}", (templates_dir / "mail").string(), e.what()));
    }
    const auto host = url_host(m.smtp.url);
    const bool plain = m.smtp.url.starts_with("smtp://") && m.smtp.tls == "off";
    if (plain && !m.smtp.user.empty())
        c.errors.push_back(fmt::format("mail.smtp: tls = \"off\" would send the SMTP password unencrypted to {}", host));
    else if (plain && !is_loopback(host))
        c.warnings.push_back(fmt::format("mail.smtp.tls = \"off\": mail goes unencrypted to {}", host));
    if (config.public_url.empty())
        c.warnings.push_back(fmt::format("[server] public_url is empty: links in mails point to http://{}",
                                         config.listen));
    if (m.imap.url.empty()) c.warnings.push_back("mail.imap.url is empty: answers to notifications are not read");
    return c;
}

} // namespace campusdesk
