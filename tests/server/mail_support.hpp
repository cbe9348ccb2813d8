// Test support for mail: a real SMTP server (tests/mail/smtp_sink.py, Debian's aiosmtpd) on a loopback port that
// writes what it receives to a directory, and received messages decoded with GMime.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace campusdesk::testing {

class smtp_sink {
public:
    // Starts the server on `port` (0: a free one) writing into `dir`.
    smtp_sink(const std::filesystem::path& dir, unsigned short port = 0);
    ~smtp_sink();
    smtp_sink(const smtp_sink&) = delete;
    unsigned short port() const { return port_; }
    void stop();

private:
    int pid_ = -1;
    unsigned short port_ = 0;
};

struct received_mail {
    std::string envelope_to;
    std::string raw;                             // as received
    std::map<std::string, std::string> headers;  // lower-case names, raw (undecoded) values, unfolded
    std::string subject;                         // decoded (RFC 2047) by GMime
    std::string message_id;                      // with angle brackets
    std::string reply_to;                        // the address
    std::string to_name;                         // decoded display name
    std::vector<std::string> part_types;         // "text/plain; charset=utf-8", … in order
    std::string text, html;                      // decoded, LF line ends
};

// Every message in `dir`, oldest first.
std::vector<received_mail> read_mailbox(const std::filesystem::path& dir);
// Waits until `dir` holds at least `count` messages (or the time is up); returns them.
std::vector<received_mail> wait_for_mail(const std::filesystem::path& dir, std::size_t count,
                                         std::chrono::seconds at_most = std::chrono::seconds(15));

} // namespace campusdesk::testing
