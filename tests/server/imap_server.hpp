// Test support: a real IMAP server (Debian's dovecot-imapd, /usr/sbin/dovecot) in a temporary directory on a free
// loopback port, with one passwd-file user and maildir storage, no TLS. Mail goes in by IMAP APPEND (curl).
#pragma once

#include "tests/server/test_server.hpp"

#include <string>
#include <vector>

namespace campusdesk::testing {

class imap_server {
public:
    imap_server();
    ~imap_server();
    imap_server(const imap_server&) = delete;

    unsigned short port() const { return port_; }
    static constexpr const char* user = "helpdesk";
    static constexpr const char* password = "geheim-imap";
    // "imap://127.0.0.1:PORT/INBOX"
    std::string url(const std::string& mailbox = "INBOX") const;
    // The [mail] lines of a campusdesk.toml that fetches from here every second.
    std::map<std::string, std::string> config_lines() const;

    void append(const std::string& raw, const std::string& mailbox = "INBOX");
    // Many messages at once, written into the INBOX's maildir (as a delivery agent does; APPEND is one at a time).
    void drop_into_inbox(const std::vector<std::string>& raws);
    // How many messages the mailbox holds (0 if it does not exist).
    std::size_t count(const std::string& mailbox) const;
    // Waits until INBOX is empty and `done` holds `expected` messages; false after `seconds`.
    bool wait_until_taken(std::size_t expected, int seconds = 20) const;

private:
    temp_dir dir_;
    unsigned short port_ = 0;
    int pid_ = -1;
    bool root_ = false;
};

} // namespace campusdesk::testing
