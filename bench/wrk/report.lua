-- Shared by the bench/wrk scripts: counts answers outside 2xx (wrk's own summary lets 3xx pass)
-- and prints machine-readable lines for bench/service.sh:
--   requests N / duration_s S / rps R / p50_ms / p90_ms / p99_ms / max_ms / non_2xx N / socket_errors N
local report = {}
local threads = {}

function report.setup(thread)
  table.insert(threads, thread)
end

function report.init()
  non_2xx = 0
end

function report.response(status)
  if status < 200 or status > 299 then non_2xx = non_2xx + 1 end
end

function report.done(summary, latency)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non_2xx") end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("duration_s %.3f\n", seconds))
  io.write(string.format("rps %.1f\n", summary.requests / seconds))
  io.write(string.format("p50_ms %.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("p90_ms %.3f\n", latency:percentile(90) / 1000))
  io.write(string.format("p99_ms %.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("max_ms %.3f\n", latency.max / 1000))
  io.write(string.format("non_2xx %d\n", bad))
  io.write(string.format("socket_errors %d\n", errors.connect + errors.read + errors.write + errors.timeout))
end

return report
