// A small HTTP client for the API tests: JSON requests with the service's key, and helpers to
// wait for jobs. Header-only (tests/CMakeLists.txt builds one executable per *_test.cpp).
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace vcfagent::testing {

struct ApiResponse {
  int status = -1;
  std::string body;
  std::multimap<std::string, std::string, httplib::detail::ci> headers;
  std::string error;  // transport error

  nlohmann::json Json() const {
    auto value = nlohmann::json::parse(body, nullptr, false);
    EXPECT_FALSE(value.is_discarded()) << "not JSON: " << body.substr(0, 500);
    return value;
  }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::string Describe() const { return std::to_string(status) + " " + error + " " + body.substr(0, 2000); }
};

class ApiClient {
 public:
  ApiClient(std::string url, std::string key) : url_(std::move(url)), key_(std::move(key)) {}

  ApiResponse Get(const std::string& path, httplib::Headers extra = {}) const {
    return Send("GET", path, "", "", std::move(extra));
  }
  ApiResponse Delete(const std::string& path) const { return Send("DELETE", path, "", "", {}); }
  ApiResponse Post(const std::string& path, const nlohmann::json& body, httplib::Headers extra = {}) const {
    return Send("POST", path, body.dump(), "application/json", std::move(extra));
  }
  ApiResponse PostRaw(const std::string& path, const std::string& body, const std::string& content_type,
                      httplib::Headers extra = {}) const {
    return Send("POST", path, body, content_type, std::move(extra));
  }

  // Polls GET /api/v1/jobs/{id} until the job leaves queued/running (or `seconds` pass).
  nlohmann::json WaitForJob(const std::string& id, double seconds = 120) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    nlohmann::json job;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = Get("/api/v1/jobs/" + id);
      if (r.status != 200) {
        ADD_FAILURE() << "GET job: " << r.Describe();
        return job;
      }
      job = r.Json();
      if (job["state"] != "queued" && job["state"] != "running") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "job " << id << " did not finish in " << seconds << " s: " << job.dump();
    return job;
  }

  const std::string& url() const { return url_; }
  const std::string& key() const { return key_; }

 private:
  // The service limits requests per key (429 with Retry-After); polling tests wait and retry, as
  // a well-behaved client does.
  ApiResponse Send(const std::string& method, const std::string& path, const std::string& body,
                   const std::string& content_type, const httplib::Headers& headers) const {
    ApiResponse response;
    for (int attempt = 0; attempt < 20; ++attempt) {
      response = SendOnce(method, path, body, content_type, headers);
      // Only the per-key rate limit; 429 too-many-jobs is an answer the tests check.
      if (response.status != 429 || response.body.find("/rate-limited") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return response;
  }

  ApiResponse SendOnce(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& content_type, httplib::Headers headers) const {
    httplib::Client client(url_);
    client.set_read_timeout(120, 0);
    client.set_connection_timeout(5, 0);
    if (!key_.empty()) headers.emplace("Authorization", "Bearer " + key_);
    httplib::Result result = method == "GET"      ? client.Get(path, headers)
                             : method == "DELETE" ? client.Delete(path, headers)
                                                  : client.Post(path, headers, body, content_type);
    ApiResponse response;
    if (!result) {
      response.error = httplib::to_string(result.error());
      return response;
    }
    response.status = result->status;
    response.body = result->body;
    for (const auto& [name, value] : result->headers) response.headers.emplace(name, value);
    return response;
  }

  std::string url_, key_;
};

}  // namespace vcfagent::testing
