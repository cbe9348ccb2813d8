// Delivery over SMTP through libcurl (issue 17): smtp:// with STARTTLS as [mail.smtp] tls says, smtps:// with TLS
// from the start, AUTH when a user is configured, timeouts. One client keeps its connection open between mails
// (libcurl's connection cache), so a backlog drains without a handshake per mail.
#pragma once

#include "core/app_config.hpp"

#include <string>
#include <string_view>

namespace campusdesk {

struct smtp_result {
    bool ok = false;
    // The server could not be reached at all (refused, timed out, TLS or AUTH failed): the next mail would fail
    // the same way, so the sender pauses instead of trying every queued mail.
    bool server_unreachable = false;
    std::string error;  // curl's message and the server's last answer
};

class smtp_client {
public:
    explicit smtp_client(smtp_config config);
    ~smtp_client();
    smtp_client(const smtp_client&) = delete;
    smtp_client& operator=(const smtp_client&) = delete;

    smtp_result send(std::string_view envelope_from, std::string_view to, std::string_view message);

private:
    smtp_config config_;
    void* curl_ = nullptr;  // CURL*, kept for its open connection
};

} // namespace campusdesk
