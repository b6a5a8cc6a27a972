#include "ai/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <memory>
#include <mutex>

#include "util/progress.h"

namespace vcfagent::ai {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

struct Transfer {
  CURL* curl = nullptr;
  HttpResponse* response = nullptr;
  const ChunkHandler* on_chunk = nullptr;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  // A new status line (after a 100 Continue or a redirect) starts a new header set.
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->response->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    transfer->response->headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                                             std::string(Trim(line.substr(colon + 1))));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &status);
  if (*transfer->on_chunk && status >= 200 && status < 300) {
    if (!(*transfer->on_chunk)(std::string_view(data, bytes))) {
      transfer->response->handler_aborted = true;
      return 0;  // CURLE_WRITE_ERROR ends the transfer
    }
    return bytes;
  }
  transfer->response->body.append(data, bytes);
  return bytes;
}

int OnProgress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return CancelRequested() ? 1 : 0;  // non-zero aborts with CURLE_ABORTED_BY_CALLBACK
}

FailureClass Classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return FailureClass::kTimeout;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return FailureClass::kNotConfigured;
    default:
      // Refused, unresolvable, reset, TLS failures, a body cut short: the connection failed.
      return FailureClass::kConnection;
  }
}

long Milliseconds(double seconds) {
  return std::max(1L, static_cast<long>(seconds * 1000.0 + 0.5));
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (EqualsIgnoreCase(it->first, name)) return it->second;
  }
  return "";
}

HttpResponse SendHttpRequest(const HttpRequest& request, const ChunkHandler& on_chunk) {
  GlobalInitOnce();
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    response.failure = FailureClass::kConnection;
    response.error = "cannot create an HTTP handle";
    return response;
  }
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : request.headers) {
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  // curl 7.x waits up to a second for "100 Continue" on bodies over 1 KiB; providers never send it.
  header_list = curl_slist_append(header_list, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(header_list, curl_slist_free_all);

  Transfer transfer{curl.get(), &response, &on_chunk};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  if (request.method == "POST") {
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, Milliseconds(request.connect_timeout_seconds));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, Milliseconds(request.timeout_seconds));
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "vcf-agent/" VCFAGENT_VERSION);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);

  CURLcode code = curl_easy_perform(handle);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  response.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (code == CURLE_OK) return response;
  if (code == CURLE_ABORTED_BY_CALLBACK) {
    response.cancelled = true;
    response.error = "cancelled";
    return response;
  }
  if (response.handler_aborted) {
    response.error = "the answer was abandoned while streaming";
    return response;
  }
  response.failure = Classify(code);
  response.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  return response;
}

}  // namespace vcfagent::ai
