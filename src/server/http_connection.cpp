#include "server/http_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "obs/service_metrics.h"
#include "server/router.h"

namespace vcfagent::server {
namespace {

using Clock = std::chrono::steady_clock;

// ---- what the request on this thread has reached -------------------------------------------------

struct ConnectionState {
  std::optional<Clock::time_point> deadline;  // reads fail after it
  bool in_headers = false;                     // counting bytes against max_header_bytes
  size_t header_bytes = 0;
  bool routed = false;  // the header section reached the router (HeadersRouted)
  bool close = false;   // RequestClose
  bool unread = false;  // RequestClose(true)
  const ConnectionLimits* limits = nullptr;
};
thread_local ConnectionState* t_connection = nullptr;
thread_local bool t_overflow = false;

int MillisecondsUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 1 << 30));
}

// Waits for `events` on `fd` for at most `timeout_ms`; true when ready.
bool Poll(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int n;
  do {
    n = ::poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

// The peer's (or, with peer false, this end's) address and port of a connected socket.
void SocketAddress(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  const int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length)
                      : ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ip.clear();
  port = 0;
  if (rc != 0) return;
  char text[INET6_ADDRSTRLEN] = {0};
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

// ---- byte transport: plain TCP or TLS ------------------------------------------------------------

class Transport {
 public:
  virtual ~Transport() = default;
  virtual ssize_t Recv(char* data, size_t size) = 0;
  virtual ssize_t Send(const char* data, size_t size) = 0;
  // Bytes the transport holds that poll() on the socket does not see (TLS records already read).
  virtual bool Pending() const { return false; }
};

class PlainTransport : public Transport {
 public:
  explicit PlainTransport(int fd) : fd_(fd) {}
  ssize_t Recv(char* data, size_t size) override {
    ssize_t n;
    do {
      n = ::recv(fd_, data, size, 0);
    } while (n < 0 && errno == EINTR);
    return n;
  }
  ssize_t Send(const char* data, size_t size) override {
    ssize_t n;
    do {
      n = ::send(fd_, data, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

 private:
  int fd_;
};

class TlsTransport : public Transport {
 public:
  explicit TlsTransport(SSL* ssl) : ssl_(ssl) {}
  ssize_t Recv(char* data, size_t size) override {
    const int n = SSL_read(ssl_, data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
    return n > 0 ? n : (SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1);
  }
  ssize_t Send(const char* data, size_t size) override {
    const int n = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
    return n > 0 ? n : -1;
  }
  bool Pending() const override { return SSL_pending(ssl_) > 0; }

 private:
  SSL* ssl_;
};

// ---- the stream httplib reads requests from and writes responses to ------------------------------

class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, Transport& transport, ConnectionState& state)
      : fd_(fd), transport_(transport), state_(state) {}

  // Waits up to the keep-alive timeout for the next request's first byte (or the server's stop).
  bool WaitForRequest(const std::atomic<socket_t>& server_socket) {
    if (buffered() > 0 || transport_.Pending()) return true;
    const auto until = Clock::now() + std::chrono::seconds(state_.limits->keep_alive_timeout_seconds);
    while (server_socket != INVALID_SOCKET) {
      const int left = MillisecondsUntil(until);
      if (Poll(fd_, POLLIN, std::min(left, 100))) return true;
      if (left == 0) return false;
    }
    return false;
  }

  bool is_readable() const override {
    if (buffered() > 0 || transport_.Pending()) return true;
    int timeout_ms = state_.limits->read_timeout_seconds * 1000;
    if (state_.deadline) timeout_ms = std::min(timeout_ms, MillisecondsUntil(*state_.deadline));
    return timeout_ms > 0 && Poll(fd_, POLLIN, timeout_ms);
  }
  bool is_writable() const override { return Poll(fd_, POLLOUT, state_.limits->write_timeout_seconds * 1000); }

  ssize_t read(char* ptr, size_t size) override {
    if (buffered() == 0) {
      if (!is_readable()) return -1;
      offset_ = 0;
      const ssize_t n = transport_.Recv(buffer_.data(), buffer_.size());
      if (n <= 0) {
        length_ = 0;
        return n;
      }
      length_ = static_cast<size_t>(n);
    }
    size = std::min(size, buffered());
    if (state_.in_headers) {
      state_.header_bytes += size;
      if (state_.header_bytes > state_.limits->max_header_bytes) return -1;
    }
    std::memcpy(ptr, buffer_.data() + offset_, size);
    offset_ += size;
    return static_cast<ssize_t>(size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return transport_.Send(ptr, size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { SocketAddress(fd_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { SocketAddress(fd_, false, ip, port); }
  socket_t socket() const override { return fd_; }

 private:
  size_t buffered() const { return length_ - offset_; }
  int fd_;
  Transport& transport_;
  ConnectionState& state_;
  std::array<char, 16384> buffer_{};
  size_t offset_ = 0, length_ = 0;
};

// ---- connections per client address ---------------------------------------------------------------

class ClientConnections {
 public:
  bool Acquire(const std::string& address, int limit) {
    std::lock_guard lock(mutex_);
    int& count = counts_[address];
    if (limit > 0 && count >= limit) {
      if (count == 0) counts_.erase(address);
      return false;
    }
    ++count;
    return true;
  }
  void Release(const std::string& address) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(address);
    if (it != counts_.end() && --it->second <= 0) counts_.erase(it);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, int> counts_;
};

// ---- workers with an overflow ---------------------------------------------------------------------

// httplib's ThreadPool queues a connection behind busy workers however long they stay busy.
// This pool gives a new connection to one of a few overflow threads instead when every worker is
// taken, where only the operational routes are served.
class WorkerPool : public httplib::TaskQueue {
 public:
  WorkerPool(size_t workers, size_t overflow) : workers_(workers) {
    for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(queue_, false); });
    for (size_t i = 0; i < overflow; ++i) threads_.emplace_back([this] { Work(overflow_queue_, true); });
    overflow_free_ = overflow;
  }
  ~WorkerPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      if (busy_ + queue_.size() >= workers_ && overflow_free_ > 0) {
        --overflow_free_;
        overflow_queue_.push_back(std::move(fn));
      } else {
        queue_.push_back(std::move(fn));
      }
    }
    wake_.notify_all();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Work(std::deque<std::function<void()>>& queue, bool overflow) {
    t_overflow = overflow;
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !queue.empty(); });
        if (queue.empty()) return;  // stopping, nothing left
        fn = std::move(queue.front());
        queue.pop_front();
        if (!overflow) ++busy_;
      }
      fn();
      std::lock_guard lock(mutex_);
      if (overflow) {
        ++overflow_free_;
      } else {
        --busy_;
      }
    }
  }

  const size_t workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_, overflow_queue_;
  size_t busy_ = 0, overflow_free_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// ---- the per-connection loop -----------------------------------------------------------------------

std::string PeerAddress(int fd) {
  std::string ip;
  int port = 0;
  SocketAddress(fd, true, ip, port);
  return ip;
}

// The complete 429 response for a connection refused before any request was read.
std::string TooManyConnectionsResponse(const std::string& detail) {
  httplib::Request req;
  req.path = "/";
  httplib::Response res;
  RenderProblem(MakeProblem(429, "too-many-connections", detail), req, res, "");
  return fmt::format(
      "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\nContent-Length: {}\r\n"
      "Retry-After: 1\r\nConnection: close\r\n\r\n{}",
      res.body.size(), res.body);
}

// After a refusal the client may still be sending the body it was refused: closing with unread
// bytes makes the kernel answer with a reset that can destroy the response in flight. Stop
// writing, discard what arrives for a moment, then close (nginx's "lingering close").
void LingeringClose(int fd) {
  ::shutdown(fd, SHUT_WR);
  const auto until = Clock::now() + std::chrono::seconds(1);
  std::array<char, 16384> discard{};
  size_t total = 0;
  while (total < (size_t{4} << 20) && Poll(fd, POLLIN, MillisecondsUntil(until))) {
    const ssize_t n = ::recv(fd, discard.data(), discard.size(), 0);
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
}

template <typename Base>
class LimitedServer : public Base {
 public:
  template <typename... Args>
  LimitedServer(const ConnectionLimits& limits, Args&&... args)
      : Base(std::forward<Args>(args)...), limits_(limits) {
    const size_t workers = limits.workers, overflow = limits.overflow_workers;
    this->new_task_queue = [workers, overflow] { return new WorkerPool(workers, overflow); };
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    bool ok = false;
    bool linger = false;
    const std::string peer = PeerAddress(sock);
    if constexpr (std::is_same_v<Base, httplib::SSLServer>) {
      SSL* ssl = Accept(sock);
      if (ssl != nullptr) {
        TlsTransport transport(ssl);
        ok = Serve(sock, peer, transport, [ssl](httplib::Request& req) { req.ssl = ssl; }, &linger);
        if (ok) SSL_shutdown(ssl);
        SSL_free(ssl);
      }
    } else {
      PlainTransport transport(sock);
      ok = Serve(sock, peer, transport, nullptr, &linger);
    }
    if (linger) LingeringClose(sock);
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
  }

  bool Serve(int fd, const std::string& peer, Transport& transport,
             const std::function<void(httplib::Request&)>& setup, bool* linger) {
    if (!clients_.Acquire(peer, limits_.max_connections_per_client)) {
      const std::string refusal = TooManyConnectionsResponse(
          fmt::format("{} already has {} open connections (server.max_connections_per_client)", peer,
                      limits_.max_connections_per_client));
      if (Poll(fd, POLLOUT, 1000)) transport.Send(refusal.data(), refusal.size());
      obs::Metrics().http_connections_closed.With({"per_client_limit"}).Inc();
      return false;
    }
    ConnectionState state;
    state.limits = &limits_;
    ConnectionStream stream(fd, transport, state);
    t_connection = &state;
    bool ok = true;
    for (size_t served = 0; served < limits_.keep_alive_max_requests; ++served) {
      if (!stream.WaitForRequest(this->svr_sock_)) break;
      state = ConnectionState{};
      state.limits = &limits_;
      state.in_headers = true;
      state.deadline = Clock::now() + std::chrono::seconds(limits_.header_timeout_seconds);
      bool closed = false;
      const bool last = served + 1 == limits_.keep_alive_max_requests;
      ok = this->process_request(stream, last, closed, setup);
      if (!ok || closed) break;
      if (state.close) {
        if (state.unread) {  // a refusal that left the body unread: the client may still be sending it
          obs::Metrics().http_connections_closed.With({"unread_body"}).Inc();
          *linger = true;
        }
        break;
      }
      if (!state.routed) {  // the header section was malformed, too large or too slow
        obs::Metrics().http_connections_closed.With({"bad_headers"}).Inc();
        break;
      }
    }
    t_connection = nullptr;
    clients_.Release(peer);
    return ok;
  }

  // The TLS handshake, bound by the header timeout (a client that stalls in it holds no worker).
  SSL* Accept(int fd) {
    SSL* ssl = SSL_new(this->ssl_context());
    if (ssl == nullptr) return nullptr;
    SSL_set_fd(ssl, fd);
    const int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    const auto until = Clock::now() + std::chrono::seconds(limits_.header_timeout_seconds);
    bool done = false;
    for (;;) {
      const int rc = SSL_accept(ssl);
      if (rc == 1) {
        done = true;
        break;
      }
      const int error = SSL_get_error(ssl, rc);
      const int left = MillisecondsUntil(until);
      if (left == 0) break;
      if (error == SSL_ERROR_WANT_READ) {
        if (!Poll(fd, POLLIN, left)) break;
      } else if (error == SSL_ERROR_WANT_WRITE) {
        if (!Poll(fd, POLLOUT, left)) break;
      } else {
        break;
      }
    }
    ::fcntl(fd, F_SETFL, flags);
    ERR_clear_error();
    if (!done) {
      SSL_free(ssl);
      return nullptr;
    }
    return ssl;
  }

  const ConnectionLimits limits_;
  ClientConnections clients_;
};

}  // namespace

std::unique_ptr<httplib::Server> MakeHttpServer(const ConnectionLimits& limits, const std::string& tls_cert_file,
                                                const std::string& tls_key_file) {
  std::unique_ptr<httplib::Server> server;
  if (!tls_cert_file.empty()) {
    server = std::make_unique<LimitedServer<httplib::SSLServer>>(limits, tls_cert_file.c_str(), tls_key_file.c_str());
  } else {
    server = std::make_unique<LimitedServer<httplib::Server>>(limits);
  }
  server->set_read_timeout(limits.read_timeout_seconds, 0);
  server->set_write_timeout(limits.write_timeout_seconds, 0);
  server->set_keep_alive_timeout(limits.keep_alive_timeout_seconds);
  server->set_keep_alive_max_count(limits.keep_alive_max_requests);
  return server;
}

void HeadersRouted(bool streaming_body) {
  if (t_connection == nullptr) return;
  t_connection->routed = true;
  t_connection->in_headers = false;
  t_connection->deadline.reset();
  if (!streaming_body) {
    t_connection->deadline = Clock::now() + std::chrono::seconds(t_connection->limits->body_timeout_seconds);
  }
}

void RequestClose(bool unread_body) {
  if (t_connection == nullptr) return;
  t_connection->close = true;
  t_connection->unread = t_connection->unread || unread_body;
}

bool ClosingConnection() { return t_connection != nullptr && t_connection->close; }

bool OnOverflowThread() { return t_overflow; }

}  // namespace vcfagent::server
