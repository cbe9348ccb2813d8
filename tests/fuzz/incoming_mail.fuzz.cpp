// libFuzzer: incoming mail (GMime 3 and libxml2 underneath). Any bytes parse without a crash, and the texts that
// become tickets and replies are valid UTF-8 without control characters.
#include "server/mail/incoming_mail.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace campusdesk;
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const auto m = parse_incoming_mail(raw, {"schulen.example.de", "helpdesk@schulen.example.de"});
    for (const auto* text : {&m.text, &m.reply_text, &m.subject, &m.from.address, &m.from.name})
        if (clean_mail_text(*text) != *text) std::abort();
    if (m.subject.find('\n') != std::string::npos) std::abort();
    (void)clean_subject(m.subject);
    return 0;
}
