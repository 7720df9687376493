-- wrk script: POST /api/v1/validate with one fixed request body (bench/verify/run.sh).
-- Environment: VALIDATE_BODY (a file holding the JSON request), VALIDATE_TOKEN (an access token).
-- Every response must be a 200 whose report says TOTAL-PASSED: done() prints how many were not,
-- so a rate of failures is never mistaken for a rate of validations.
local body_file = os.getenv("VALIDATE_BODY")
local token = os.getenv("VALIDATE_TOKEN")
local f = assert(io.open(body_file, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init() passed = 0; other = 0 end
function response(status, headers, body)
  if status == 200 and body:find('"allPassed":true', 1, true) then passed = passed + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local p, o = 0, 0
  for _, t in ipairs(threads) do p = p + t:get("passed"); o = o + t:get("other") end
  io.write(string.format("validate_passed %d\nvalidate_other %d\nvalidate_p50_ms %.2f\nvalidate_p99_ms %.2f\n",
    p, o, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
