#include "server/http/http_server.hpp"

#include "server/http/log.hpp"
#include "server/http/responses.hpp"
#include <fmt/format.h>

#include <limits>

namespace campusdesk {

namespace {
constexpr std::size_t header_limit = 16 * 1024;
constexpr auto read_timeout = std::chrono::seconds(30);  // a header; a body's grace and longest stall
// Out of descriptors, accept fails at once for as long as the pending connection waits: pause instead of
// spinning (measured: 64 % of a core), doubling up to the longest pause while it lasts.
constexpr auto accept_pause_first = std::chrono::milliseconds(50);
constexpr auto accept_pause_longest = std::chrono::milliseconds(500);
constexpr auto drain_timeout = std::chrono::seconds(1);
constexpr std::size_t drain_limit = 16 * 1024 * 1024;
} // namespace

http_response make_plain_error(http::status status, std::string_view message, unsigned version) {
    // The API's error shape, with the security headers of every answer; pages get the same rare low-level answer
    // (these happen before routing).
    auto res = api_error(status, status == http::status::payload_too_large ? "too_large" : "malformed", message);
    res.version(version);
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

http_server::http_server(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, handler h,
                         body_limit limit, std::size_t min_body_bytes_per_second, stream_route is_stream,
                         stream_handler stream)
    : ioc_(ioc), acceptor_(ioc), handler_(std::move(h)), body_limit_(std::move(limit)),
      min_body_bytes_per_second_(std::max<std::size_t>(min_body_bytes_per_second, 1)),
      is_stream_(std::move(is_stream)), stream_(std::move(stream)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void http_server::start() {
    net::co_spawn(net::make_strand(ioc_), accept_loop(), [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log_line(log_level::error, "accept loop ended", {{"error", ex.what()}});
        }
    });
}

void http_server::stop() {
    stopping_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
}

namespace {
bool out_of_resources(const beast::error_code& ec) {
    return ec == net::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
           ec == net::error::no_buffer_space || ec == net::error::no_memory;
}
// Reads the rest of the body. Its deadline grows with what arrives (the grace period plus one second per
// `min_rate` bytes), so a photo coming slowly over a school's line is not cut off while a client trickling a few
// bytes is; no single read may stall longer than the grace period.
net::awaitable<beast::error_code> read_body(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                            http::request_parser<http::string_body>& parser, std::size_t min_rate) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    std::uint64_t received = 0;
    while (!parser.is_done()) {
        const auto earned = std::chrono::milliseconds(received * 1000 / min_rate) + read_timeout;
        const auto now = clock::now();
        const auto deadline = std::min(start + earned, now + read_timeout);
        // A deadline already passed is a timeout now: armed in the past, Beast 1.81's timer can fire while a read
        // completes, which its basic_stream asserts cannot happen (seen in the sanitizer build).
        if (deadline <= now) co_return beast::error::timeout;
        stream.expires_at(deadline);
        auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, net::as_tuple(net::use_awaitable));
        if (ec) co_return ec;
        received += n;
    }
    co_return beast::error_code{};
}

} // namespace

net::awaitable<void> http_server::accept_loop() {
    net::steady_timer pause_timer(ioc_);
    auto pause = accept_pause_first;
    while (!stopping_) {
        auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) {
            if (stopping_ || ec == net::error::operation_aborted) co_return;
            if (!out_of_resources(ec)) continue;  // e.g. the client gave up before it was accepted
            // Keep serving the open connections; accept again once some of them have closed.
            if (pause == accept_pause_first)
                log_line(log_level::warning, "accept paused: out of file descriptors",
                         {{"error", std::string_view(ec.message())}});
            pause_timer.expires_after(pause);
            co_await pause_timer.async_wait(net::as_tuple(net::use_awaitable));
            pause = std::min<std::chrono::milliseconds>(pause * 2, accept_pause_longest);
            continue;
        }
        pause = accept_pause_first;
        socket.set_option(net::ip::tcp::no_delay(true), ec);
        // Each connection on its own strand, as Beast's examples do: on the bare io_context with two threads a
        // connection's coroutine could resume on one thread (its read on the reader pool done) while the other was
        // still leaving the step that started that read (ASan caught it in the background jobs, server/cli).
        net::co_spawn(net::make_strand(ioc_), serve_connection(beast::tcp_stream(std::move(socket))),
                      net::detached);
    }
}

net::awaitable<void> http_server::serve_connection(beast::tcp_stream stream) {
    beast::error_code peer_ec;
    const auto peer = stream.socket().remote_endpoint(peer_ec).address();
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        // The route decides the body limit once the header is known; until then Beast must not apply its own.
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        stream.expires_after(read_timeout);
        auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, net::as_tuple(net::use_awaitable));
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
            ec == net::error::connection_reset || ec == net::error::operation_aborted)
            break;
        http_response res;
        bool close_after = false;
        if (ec) {
            const bool too_big = ec == http::error::header_limit;
            res = make_plain_error(too_big ? http::status::request_header_fields_too_large : http::status::bad_request,
                                   too_big ? "header too large" : "malformed request", 11);
            close_after = true;
        } else {
            // Only a request with a body asks for its limit: a GET costs nothing here.
            std::size_t limit = 0;
            if (!parser.is_done()) limit = co_await body_limit_(parser.get());
            if (auto length = parser.content_length(); length && *length > limit) {
                // Refuse before reading: the client is told at once and the body never reaches memory.
                res = make_plain_error(http::status::payload_too_large,
                                       fmt::format("body larger than {} bytes", limit), parser.get().version());
                close_after = true;
            } else {
                parser.body_limit(limit);
                if (!parser.is_done() && parser.get()[http::field::expect] == "100-continue") {
                    http::response<http::empty_body> cont{http::status::continue_, parser.get().version()};
                    co_await http::async_write(stream, cont, net::as_tuple(net::use_awaitable));
                }
                const auto body_ec = co_await read_body(stream, buffer, parser, min_body_bytes_per_second_);
                if (body_ec == http::error::body_limit) {
                    res = make_plain_error(http::status::payload_too_large,
                                           fmt::format("body larger than {} bytes", limit), parser.get().version());
                    close_after = true;
                } else if (body_ec) {
                    if (body_ec == beast::error::timeout || body_ec == http::error::end_of_stream ||
                        body_ec == http::error::partial_message || body_ec == net::error::eof ||
                        body_ec == net::error::connection_reset)
                        break;
                    res = make_plain_error(http::status::bad_request, "malformed request", parser.get().version());
                    close_after = true;
                } else {
                    auto req = parser.release();
                    if (is_stream_ && is_stream_(req)) {
                        // The stream owns the connection until it ends; it is not an in-flight request that
                        // shutdown waits for (it ends by itself when the server stops).
                        co_await stream_(req, stream, *this);
                        break;
                    }
                    ++in_flight_;
                    try {
                        res = co_await handler_(req, peer);
                    } catch (const std::exception& e) {
                        log_line(log_level::error, "request failed", {{"error", e.what()}, {"target", std::string_view(req.target())}});
                        res = make_plain_error(http::status::internal_server_error, "internal error", req.version());
                    }
                    --in_flight_;
                    res.version(req.version());
                    res.keep_alive(req.keep_alive() && !stopping_);
                    close_after = !res.keep_alive();
                }
            }
        }
        if (close_after) res.keep_alive(false);
        res.prepare_payload();
        stream.expires_after(read_timeout);
        auto [write_ec, written] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
        if (write_ec || close_after) break;
    }
    // Half-close, then drain briefly so the peer reads our answer instead of a reset.
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    stream.expires_after(drain_timeout);
    std::array<char, 8192> sink;
    std::size_t drained = 0;
    while (drained < drain_limit) {
        auto [read_ec, n] = co_await stream.async_read_some(net::buffer(sink), net::as_tuple(net::use_awaitable));
        if (read_ec) break;
        drained += n;
    }
    stream.socket().close(ec);
}

} // namespace campusdesk
