// The HTTP listener and one coroutine per connection (Beast's awaitable server style).
#pragma once

#include "server/http/net.hpp"

#include <atomic>
#include <chrono>
#include <functional>

namespace campusdesk {

class http_server {
public:
    // The request and the address of the peer that sent it (a reverse proxy's, behind one).
    using handler = std::function<net::awaitable<http_response>(http_request&, const net::ip::address&)>;
    // The largest body a request may carry, decided once its header is read and only if a body follows (uploads
    // may carry more than forms; requests without a session very little).
    using body_limit = std::function<net::awaitable<std::size_t>(const http_request& header_only)>;

    // A long-lived answer (Server-Sent Events) that writes to the connection itself until it ends.
    using stream_handler = std::function<net::awaitable<void>(http_request&, beast::tcp_stream&, const http_server&)>;
    using stream_route = std::function<bool(const http_request&)>;

    // A body must arrive at `min_body_bytes_per_second` on average (after a grace period), so a slow upload
    // is not cut off by a fixed deadline while a client trickling bytes still is.
    http_server(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, handler h, body_limit limit,
                std::size_t min_body_bytes_per_second, stream_route is_stream = {}, stream_handler stream = {});

    net::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
    void start();
    // Stops accepting; connections finish their current request and then close.
    void stop();
    bool stopping() const { return stopping_; }
    // Requests being handled right now (graceful shutdown waits for them).
    int in_flight() const { return in_flight_; }

private:
    net::awaitable<void> accept_loop();
    net::awaitable<void> serve_connection(beast::tcp_stream stream);

    net::io_context& ioc_;
    net::ip::tcp::acceptor acceptor_;
    handler handler_;
    body_limit body_limit_;
    std::size_t min_body_bytes_per_second_;
    stream_route is_stream_;
    stream_handler stream_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> in_flight_{0};
};

// A plain-text error answer for failures found before a handler runs (oversized, malformed).
http_response make_plain_error(http::status status, std::string_view message, unsigned version);

} // namespace campusdesk
