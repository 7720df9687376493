#include "server/session.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <optional>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "server/metrics.h"
#include "server/tls_context.h"

namespace qualsig::server::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Header section limit: room for bearer tokens and certificate-bound headers.
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// Bytes asked for when waiting for the start of a request.
constexpr std::size_t kFirstReadSize = 4096;
// After the last response: how long and how much we read (and discard) before closing, so
// that unread request bytes do not turn our close into a reset that destroys the response.
constexpr std::chrono::seconds kMaxLinger{2};
constexpr std::size_t kMaxLingerBytes = 1u << 20;

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

std::string endpoint_text(const tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "";
  const auto addr = ep.address();
  return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
         std::to_string(ep.port());
}

// Is this error one of the HTTP parser's (a malformed message) rather than of the transport?
bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

template <class Stream>
class HttpConnection final : public Connection,
                             public std::enable_shared_from_this<HttpConnection<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  HttpConnection(tcp::socket socket, std::shared_ptr<ServerState> state)
      : m_remote(endpoint_text(socket)),
        m_state(std::move(state)),
        m_stream(make_stream(std::move(socket), *m_state)) {}

  ~HttpConnection() override {
    if (m_id != 0) m_state->remove_connection(m_id);
  }

  void run() {
    asio::dispatch(m_stream.get_executor(), [self = this->shared_from_this()] { self->start(); });
  }

  void drain() override {
    asio::post(m_stream.get_executor(), [self = this->shared_from_this()] {
      if (self->m_interruptible) self->close_now();
    });
  }

 private:
  static Stream make_stream(tcp::socket socket, ServerState& state) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *state.tls_context());
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& transport() { return beast::get_lowest_layer(m_stream); }
  const ConnectionLimits& limits() const { return m_state->limits(); }

  void start() {
    m_id = m_state->add_connection(this->weak_from_this());
    if (m_state->draining()) return close_now();
    if constexpr (kTls) {
      transport().expires_after(limits().read_timeout);
      m_stream.async_handshake(asio::ssl::stream_base::server,
                               [self = this->shared_from_this()](beast::error_code ec) {
                                 self->on_handshake(ec);
                               });
    } else {
      wait_for_request();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      // Scanners, plain HTTP on the TLS port, refused protocol versions: not our problem.
      spdlog::debug(dump({{"event", "tls_handshake_failed"}, {"remote", m_remote},
                          {"error", ec.message()}}));
      return close_now();
    }
    if constexpr (kTls) {
      // Read once per connection: the certificates cannot change after the handshake (no
      // renegotiation, no post-handshake authentication).
      m_client_certificates = peer_certificates_der(m_stream.native_handle());
    }
    wait_for_request();
  }

  // Idle phase: nothing is owed to the client, so draining may close the connection.
  void wait_for_request() {
    if (m_state->draining()) return close_now();
    if (m_buffer.size() > 0) return read_request();  // a pipelined request is already here
    m_interruptible = true;
    transport().expires_after(m_first ? limits().read_timeout : limits().idle_timeout);
    m_stream.async_read_some(m_buffer.prepare(kFirstReadSize),
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->on_first_bytes(ec, n);
                             });
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    m_interruptible = false;
    // Timeout, close by the client, or closed by drain(): there is nobody to answer.
    if (ec) return close_now();
    m_buffer.commit(n);
    read_request();
  }

  void read_request() {
    m_interruptible = false;
    m_started = std::chrono::steady_clock::now();
    m_method.clear();
    m_path.clear();
    m_route.clear();
    m_parser.emplace();
    m_parser->header_limit(kHeaderLimit);
    m_parser->body_limit(static_cast<std::uint64_t>(limits().body_limit));
    transport().expires_after(limits().read_timeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (m_parser->is_header_done()) {
      const auto& msg = m_parser->get();
      m_method = std::string(msg.method_string());
      std::string query;
      if (!split_target(msg.target(), m_path, query)) m_path.clear();
    }
    if (ec == http::error::body_limit) {
      return send_problem(413, "The request body exceeds " + std::to_string(limits().body_limit) +
                                   " bytes.");
    }
    if (ec == http::error::header_limit) {
      return send_problem(431, "The request header section is too large.");
    }
    if (is_parse_error(ec)) {
      return send_problem(400, "Malformed HTTP request.");
    }
    if (ec) return close_now();  // timeout, reset, or the client went away mid-request
    handle(m_parser->release());
  }

  void handle(http::request<http::string_body> msg) {
    Request request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    if (!split_target(request.target, request.path, request.query)) {
      return send_problem(400, "Unsupported request-target form.");
    }
    // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
    // HTTP/1.1 request message that lacks a Host header field and to any request message
    // that contains more than one Host header field line".
    const std::size_t hosts = msg.count(http::field::host);
    if (hosts > 1 || (hosts == 0 && msg.version() >= 11)) {
      return send_problem(400, "Exactly one Host header field is required.");
    }
    for (const auto& field : msg) {
      auto [it, inserted] = request.headers.try_emplace(lower(field.name_string()), field.value());
      if (!inserted) (it->second += ", ").append(field.value());
    }
    request.body = std::move(msg.body());
    request.remote = m_remote;
    request.tls = kTls;
    request.client_certificates = m_client_certificates;

    const bool keep_alive = msg.keep_alive();
    boost::asio::thread_pool* pool = m_state->handler_pool();
    if (!pool) {
      // The handler runs here, on this connection's strand; it may block (HSM signing).
      Response response = m_state->router().dispatch(request, &m_route);
      return send(std::move(response), keep_alive && !m_state->draining());
    }
    // The handler runs on the pool; the response is written back on this connection's strand.
    // Nothing else touches the connection meanwhile (the next request is read only after the
    // response is written), and the tracked executor keeps the io_context running for it.
    auto home = asio::prefer(m_stream.get_executor(), asio::execution::outstanding_work.tracked);
    asio::post(*pool, [self = this->shared_from_this(), request = std::move(request), keep_alive, home]() mutable {
      Response response = self->m_state->router().dispatch(request, &self->m_route);
      asio::post(home, [self = std::move(self), response = std::move(response), keep_alive]() mutable {
        self->send(std::move(response), keep_alive && !self->m_state->draining());
      });
    });
  }

  void send_problem(unsigned status, std::string detail) {
    send(problem(status, status_phrase(status), std::move(detail)), false);
  }

  void send(Response response, bool keep_alive) {
    m_response = {};
    m_response.version(11);
    m_response.result(response.status);
    m_response.set(http::field::server, "qualsig");
    if (!response.content_type.empty()) m_response.set(http::field::content_type, response.content_type);
    bool has_cache_control = false;
    for (const auto& [name, value] : response.headers) {
      // Framing is ours (RFC 9112 §6); a handler cannot set it.
      if (iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
          iequals(name, "connection")) {
        continue;
      }
      has_cache_control = has_cache_control || iequals(name, "cache-control");
      m_response.insert(name, value);
    }
    if (!has_cache_control) m_response.set(http::field::cache_control, "no-store");
    if (response.status != 204 && response.status != 304) m_response.body() = std::move(response.body);
    m_response.keep_alive(keep_alive);
    m_response.prepare_payload();

    if (Metrics* metrics = m_state->metrics()) {
      // Observed before the write, so a client that has its response also sees it counted.
      // Requests answered before routing (400, 413, 431) count as "unmatched".
      metrics->observe_request(m_route.empty() ? std::string_view("unmatched") : std::string_view(m_route),
                               m_method, response.status,
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count());
    }
    m_interruptible = false;
    transport().expires_after(limits().write_timeout);
    http::async_write(m_stream, m_response,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t n) {
                        self->on_write(ec, n, keep_alive);
                      });
  }

  void on_write(beast::error_code ec, std::size_t bytes, bool keep_alive) {
    const auto elapsed = std::chrono::steady_clock::now() - m_started;
    // Access log: never headers, bodies or the query string (they may carry credentials).
    spdlog::info(dump({{"event", "access"},
                       {"listener", kTls ? "https" : "http"},
                       {"method", m_method},
                       {"path", m_path},
                       {"status", m_response.result_int()},
                       {"bytes_out", bytes},
                       {"duration_ms", std::chrono::duration<double, std::milli>(elapsed).count()},
                       {"remote", m_remote}}));
    if (ec) return close_now();
    if (!keep_alive) return close_gracefully();
    m_first = false;
    m_response = {};
    wait_for_request();
  }

  // Closing phase: TLS close_notify, then our half of TCP, then read and discard until the
  // client closes or the linger time is over.
  void close_gracefully() {
    m_interruptible = true;
    transport().expires_after(std::min(limits().read_timeout, kMaxLinger));
    if constexpr (kTls) {
      m_stream.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->linger(); });
    } else {
      linger();
    }
  }

  void linger() {
    beast::error_code ignored;
    transport().socket().shutdown(tcp::socket::shutdown_send, ignored);
    transport().expires_after(std::min(limits().read_timeout, kMaxLinger));
    read_and_discard();
  }

  void read_and_discard() {
    transport().async_read_some(asio::buffer(m_discard),
                                [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                                  self->m_discarded += n;
                                  if (ec || self->m_discarded > kMaxLingerBytes) return self->close_now();
                                  self->read_and_discard();
                                });
  }

  void close_now() {
    m_interruptible = false;
    beast::error_code ignored;
    transport().socket().shutdown(tcp::socket::shutdown_both, ignored);
    transport().close();
  }

  const std::string m_remote;
  const std::shared_ptr<ServerState> m_state;
  Stream m_stream;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  http::response<http::string_body> m_response;
  std::array<char, 4096> m_discard{};
  std::size_t m_discarded = 0;
  std::uint64_t m_id = 0;
  bool m_first = true;
  bool m_interruptible = true;  // nothing owed to the client: drain() may close at once
  // For the access log of the exchange in progress.
  std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
  std::string m_method;
  std::string m_path;
  std::string m_route;  // the matched route, for metrics
  // The client's certificates from the TLS handshake (leaf first, DER); copied into each Request.
  std::vector<std::string> m_client_certificates;
};

}  // namespace

bool split_target(std::string_view target, std::string& path, std::string& query) {
  if (target == "*") {
    path = "*";
    query.clear();
    return true;
  }
  std::string_view rest = target;
  if (rest.empty() || rest.front() != '/') {
    // absolute-form (RFC 9112 §3.2.2): "a server MUST accept the absolute-form in requests".
    const auto scheme_end = rest.find("://");
    if (scheme_end == std::string_view::npos) return false;
    const auto scheme = lower(rest.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") return false;
    rest.remove_prefix(scheme_end + 3);
    const auto slash = rest.find_first_of("/?");
    rest = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    if (rest.front() == '?') {
      path = "/";
      query = std::string(rest.substr(1));
      return true;
    }
  }
  const auto q = rest.find('?');
  path = std::string(rest.substr(0, q));
  query = q == std::string_view::npos ? std::string() : std::string(rest.substr(q + 1));
  return true;
}

void start_connection(tcp::socket socket, std::shared_ptr<ServerState> state, bool tls) {
  // Responses go out in one write; Nagle would only hold back the tail of a TLS flight.
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls) {
    std::make_shared<HttpConnection<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket),
                                                                          std::move(state))
        ->run();
  } else {
    std::make_shared<HttpConnection<beast::tcp_stream>>(std::move(socket), std::move(state))->run();
  }
}

}  // namespace qualsig::server::detail
