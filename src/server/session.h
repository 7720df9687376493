#pragma once
// Internal to server/: one HTTP/1.1 connection (RFC 9112), plain or over TLS.
//
// A connection alternates between waiting for a request (idle timeout; read timeout for the
// first one), reading it (read timeout, body and header limits), running the route handler on
// the connection's strand, and writing the response (write timeout). Keep-alive follows the
// request (RFC 9112 §9.3) unless the server is draining. A malformed request gets 400, an
// oversize body 413, oversize header fields 431; each then closes the connection, lingering
// briefly so the client reads the answer before the close (RFC 9112 §9.6).

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "server/server_state.h"

namespace qualsig::server::detail {

// Starts serving `socket` (whose executor must be a strand); `tls` selects HTTPS, which needs
// state->tls_context(). The connection keeps itself alive until it closes.
void start_connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                      bool tls);

// Splits a request-target (RFC 9112 §3.2) into path and query. origin-form "/p?q" and
// absolute-form "http://host/p?q" give "/p" and "q"; asterisk-form "*" gives "*". Returns
// false for anything else.
bool split_target(std::string_view target, std::string& path, std::string& query);

}  // namespace qualsig::server::detail
