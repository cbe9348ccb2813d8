#include "tests/server/sse_reader.hpp"

#include <fmt/format.h>

#include <poll.h>

namespace campusdesk::testing {

namespace net = boost::asio;

sse_reader::sse_reader(unsigned short port, const client& who, const std::string& target) : socket_(ioc_) {
    socket_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    std::string cookie;
    for (const auto& [k, v] : who.cookies) cookie += fmt::format("{}{}={}", cookie.empty() ? "" : "; ", k, v);
    const auto request = fmt::format("GET {} HTTP/1.1\r\nHost: {}:{}\r\nAccept: text/event-stream\r\n"
                                     "Cookie: {}\r\n\r\n",
                                     target, who.host.empty() ? "127.0.0.1" : who.host, port, cookie);
    net::write(socket_, net::buffer(request));
}

std::size_t sse_reader::wait_for(const std::string& needle, std::chrono::milliseconds timeout, std::size_t from) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto pos = received.find(needle, from); pos != std::string::npos) return pos;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::string::npos;
        pollfd p{socket_.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        boost::system::error_code ec;
        const auto n = socket_.read_some(net::buffer(buf), ec);
        if (ec) return std::string::npos;
        received.append(buf, n);
    }
}

} // namespace campusdesk::testing
