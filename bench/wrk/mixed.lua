-- The mixed read workload of bench/service.sh, with the API key header:
--   50% GET  /api/v1/variants?region=<1 Mb window>&limit=50
--   30% GET  /api/v1/graph/carriers?variant=<id>
--   20% POST /api/v1/similar {"variant": <id>, "k": 10}
-- Variant ids (chrom:pos:ref:alt, one per line) come from $VCFAGENT_BENCH_IDS; the key from
-- $VCFAGENT_API_KEY. Each thread draws from its own seeded generator: runs are repeatable.
package.path = (os.getenv("VCFAGENT_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local report = require("report")

local ids = {}
local key = os.getenv("VCFAGENT_API_KEY") or ""
local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("seed", thread_counter)
  report.setup(thread)
end

local function urlencode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  report.init()
  math.randomseed(seed or 1)
  local path = os.getenv("VCFAGENT_BENCH_IDS")
  local file = assert(io.open(path, "r"), "cannot read VCFAGENT_BENCH_IDS=" .. tostring(path))
  for line in file:lines() do
    if #line > 0 then table.insert(ids, line) end
  end
  file:close()
  assert(#ids > 0, "no variant ids in " .. path)
  headers = {["Authorization"] = "Bearer " .. key}
  json_headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
end

function request()
  local id = ids[math.random(#ids)]
  local pick = math.random(100)
  if pick <= 50 then
    local chrom, pos = id:match("^([^:]+):(%d+):")
    local start = math.max(1, tonumber(pos) - 500000)
    local region = string.format("%s:%d-%d", chrom, start, start + 999999)
    return wrk.format("GET", "/api/v1/variants?limit=50&region=" .. urlencode(region), headers)
  elseif pick <= 80 then
    return wrk.format("GET", "/api/v1/graph/carriers?variant=" .. urlencode(id), headers)
  else
    return wrk.format("POST", "/api/v1/similar", json_headers,
                      string.format('{"variant": "%s", "k": 10}', id))
  end
end

response = report.response
done = report.done
