-- GET /health (no key), with the report lines bench/service.sh reads.
package.path = (os.getenv("VCFAGENT_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local report = require("report")

wrk.method = "GET"
wrk.path = "/health"
setup = report.setup
init = report.init
response = report.response
done = report.done
