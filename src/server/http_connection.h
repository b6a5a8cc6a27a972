// The connection layer under cpp-httplib. httplib 0.11 reads a request with a timeout per recv()
// only, keeps a connection open after any response (also one given before the request's body was
// read), and queues new connections behind busy workers. This layer owns the per-connection loop
// instead; httplib still parses and routes each request (Server::process_request). It promises:
//   - a request's header section arrives within header_timeout_seconds of its first byte and
//     within max_header_bytes, else the connection is closed (a client trickling header lines
//     cannot hold a worker);
//   - a request body of a non-streaming route arrives within body_timeout_seconds of the end of
//     its headers (streaming uploads: read_timeout_seconds per read);
//   - after a response given without reading the request's body (RequestClose(true), and any
//     request whose headers never reached the router), the connection is closed, so unread bytes
//     are never parsed as further requests;
//   - one client address holds at most max_connections_per_client connections (0: no limit);
//     the next gets a 429 problem and is closed;
//   - when every worker is busy, up to overflow_workers more threads take new connections; on
//     them only the operational routes are served (OnOverflowThread), so /health answers while
//     long work fills the pool.
// Plain TCP and TLS (OpenSSL, with the handshake bound by header_timeout_seconds) alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <httplib.h>

namespace vcfagent::server {

struct ConnectionLimits {
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 30;
  int read_timeout_seconds = 10;  // one read of a body or a header line
  int write_timeout_seconds = 30;
  int keep_alive_timeout_seconds = 5;
  size_t keep_alive_max_requests = 10000;
  size_t max_header_bytes = 64 * 1024;
  int max_connections_per_client = 64;
  size_t workers = 128;
  size_t overflow_workers = 4;
};

// The httplib server for `limits` (TLS when both files are given; check is_valid()).
std::unique_ptr<httplib::Server> MakeHttpServer(const ConnectionLimits& limits, const std::string& tls_cert_file,
                                                const std::string& tls_key_file);

// For the request being handled on this thread (no-ops outside a connection of MakeHttpServer):
// its header section was read and routed; the body deadline starts unless the route streams.
void HeadersRouted(bool streaming_body);
// Close the connection once this response is written. `unread_body`: the request's body (or
// bytes whose framing is in doubt) may still be arriving; they are drained for a moment first,
// so that the close does not reset the response in flight.
void RequestClose(bool unread_body = false);
// RequestClose was called for the request on this thread.
bool ClosingConnection();
// True on an overflow thread (every regular worker was busy when the connection came).
bool OnOverflowThread();

}  // namespace vcfagent::server
