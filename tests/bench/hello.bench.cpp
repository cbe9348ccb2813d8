// Baseline for the HTTP benchmarks (issue 7): the smallest Beast server in campusdesk's style (one io_context
// on N threads, a coroutine per connection, keep-alive), answering every request with a fixed 200 "hello" -- or,
// with --body-bytes, with a fixed body of that size: the cost of sending a response as large as a list's, with
// no work to make it.
//
//   hello_bench [--listen ADDR:PORT] [--threads N] [--body-bytes N]   prints "listening on http://ADDR:PORT"
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

net::awaitable<void> serve(beast::tcp_stream stream, const std::string& body) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        stream.expires_after(std::chrono::seconds(30));
        auto [ec, n] = co_await http::async_read(stream, buffer, req, net::as_tuple(net::use_awaitable));
        if (ec) break;
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = body;
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [write_ec, written] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
        if (write_ec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> accept_loop(net::ip::tcp::acceptor& acceptor, const std::string& body) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) {
            if (ec == net::error::operation_aborted) co_return;
            continue;
        }
        socket.set_option(net::ip::tcp::no_delay(true), ec);
        net::co_spawn(acceptor.get_executor(), serve(beast::tcp_stream(std::move(socket)), body), net::detached);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::string listen = "127.0.0.1:0";
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string body = "hello";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--listen") listen = argv[i + 1];
        else if (arg == "--threads") threads = std::max(1, std::atoi(argv[i + 1]));
        else if (arg == "--body-bytes") body.assign(static_cast<std::size_t>(std::max(1, std::atoi(argv[i + 1]))), 'x');
        else {
            std::cerr << "usage: hello_bench [--listen ADDR:PORT] [--threads N] [--body-bytes N]\n";
            return 2;
        }
    }
    const auto colon = listen.rfind(':');
    const net::ip::tcp::endpoint endpoint{net::ip::make_address(listen.substr(0, colon)),
                                          static_cast<unsigned short>(std::atoi(listen.c_str() + colon + 1))};
    net::io_context ioc(threads);
    net::ip::tcp::acceptor acceptor(ioc);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    net::co_spawn(ioc, accept_loop(acceptor, body), net::detached);
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
    const auto local = acceptor.local_endpoint();
    std::cout << "listening on http://" << local.address().to_string() << ':' << local.port() << std::endl;
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    return 0;
}
