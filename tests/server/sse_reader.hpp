// Test support: a raw reader of the live stream (Server-Sent Events) on its own socket.
#pragma once

#include "tests/server/test_server.hpp"

#include <boost/asio.hpp>

#include <chrono>
#include <string>

namespace campusdesk::testing {

// Sends GET `target` with the client's session cookie, then reads the stream.
class sse_reader {
public:
    sse_reader(unsigned short port, const client& who, const std::string& target = "/api/v1/live");

    // Reads until `needle` appears after `from`; returns its position or npos after `timeout`.
    std::size_t wait_for(const std::string& needle, std::chrono::milliseconds timeout, std::size_t from = 0);

    std::string received;

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
};

} // namespace campusdesk::testing
