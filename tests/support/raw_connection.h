// A raw TCP connection to a local service, for what no well-behaved HTTP client would send:
// partial requests, smuggled bytes, trickled headers, abrupt resets.
#pragma once

#include <string>
#include <string_view>

namespace vcfagent::testing {

class RawConnection {
 public:
  explicit RawConnection(int port);  // connects to 127.0.0.1:port
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool Send(std::string_view data);
  // What arrives within `seconds`, stopping early at `until` (when given) or when the peer closes.
  std::string Read(double seconds, const std::string& until = "");
  // True when the server closes the connection within `seconds` (whatever it sent before).
  bool WaitClosed(double seconds);
  bool peer_closed() const { return peer_closed_; }
  // Closes with a TCP reset instead of a FIN: the abrupt end of a crashed or killed client.
  void Reset();
  void Close();

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool peer_closed_ = false;
};

// The status code of an HTTP response's status line; -1 when `response` does not start with one.
int StatusOf(const std::string& response);

// A request as bytes: the method, path, optional bearer key, content type and body (with its
// Content-Length), and `extra` header lines (each ending in \r\n).
std::string RawRequest(const std::string& method, const std::string& path, const std::string& key,
                       const std::string& content_type, const std::string& body, const std::string& extra = "");

}  // namespace vcfagent::testing
