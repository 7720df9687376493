-- wrk script: CSC API v2 signatures/signHash over HTTPS keep-alive (issue 9 load test and benchmark).
--
-- Environment:
--   SIGNHASH_BODIES  file of pre-built request bodies, one JSON object per line; each names one
--                    hash of a pre-authorized SAD, so that each body is answered 200 exactly once
--                    (bench/csc/preauthorize.py writes it). Each wrk thread sends its own share
--                    (lines i with i % threads == thread id), every body once.
--   SIGNHASH_TOKEN   the signer's OAuth 2.0 access token.
--   SIGNHASH_RATE    optional: total requests per second to aim at (a delay before each request,
--                    random around connections / rate); unset = as fast as the server answers.
--   SIGNHASH_CONNECTIONS  the -c value, needed with SIGNHASH_RATE.
--   SIGNHASH_THREADS the -t value (a thread's init runs before the next thread exists).
--   SIGNHASH_SECONDS optional: send signHash requests for this long only, then GET /healthz.
--
-- Every signHash response must be counted, so none may be in flight when wrk stops (wrk drops
-- the requests it is waiting for, which the server still signs). Hence a thread never stops
-- early: once its bodies run out, or SIGNHASH_SECONDS have passed, it sends GET /healthz every
-- 100 ms per connection instead ("draining"); run wrk with -d a few seconds longer than
-- SIGNHASH_SECONDS. done() prints how many bodies were left and whether a thread ran out, so
-- that a short run is visible, never silent. Responses are counted by status; 200s as signed
-- only when the body carries "signatures".
-- wrk calls request() once on thread 0 before the run to probe for pipelining; that call gets
-- a request built from the first body without consuming it.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  table.insert(threads, thread)
  thread_count = thread_count + 1
end

function init(args)
  local nthreads = tonumber(os.getenv("SIGNHASH_THREADS") or "0")
  if nthreads == 0 then error("SIGNHASH_THREADS must equal wrk -t") end
  bodies = {}
  local f = assert(io.open(assert(os.getenv("SIGNHASH_BODIES"), "SIGNHASH_BODIES not set"), "r"))
  local i = 0
  for line in f:lines() do
    if i % nthreads == id and #line > 0 then bodies[#bodies + 1] = line end
    i = i + 1
  end
  f:close()
  body_count = #bodies
  next_body = 1
  signed = 0        -- 200 responses carrying signatures
  other_2xx = 0
  non_2xx = 0
  statuses = ""     -- "409:3 500:1" for the non-2xx ones
  status_counts = {}
  ran_out_at = 0    -- os.time() when the bodies ran out, 0 if they did not
  headers = {["Content-Type"] = "application/json",
             ["Authorization"] = "Bearer " .. assert(os.getenv("SIGNHASH_TOKEN"), "SIGNHASH_TOKEN not set")}
  local rate = tonumber(os.getenv("SIGNHASH_RATE") or "")
  if rate and rate > 0 then
    local connections = tonumber((assert(os.getenv("SIGNHASH_CONNECTIONS"), "SIGNHASH_CONNECTIONS not set")))
    mean_delay_ms = connections * 1000 / rate
  end
  local seconds = tonumber(os.getenv("SIGNHASH_SECONDS") or "")
  if seconds then deadline = os.time() + seconds end
  draining = false
  verified = false
  math.randomseed(os.time() + id)
end

function delay()
  if draining then return 100 end
  if mean_delay_ms == nil then return 0 end
  return math.floor(mean_delay_ms * (0.5 + math.random()))
end

function request()
  if id == 0 and not verified then
    -- wrk's pipelining probe (see above): build a request, consume nothing
    verified = true
    return wrk.format("POST", "/csc/v2/signatures/signHash", headers, bodies[1] or "{}")
  end
  if next_body > body_count or (deadline and os.time() >= deadline) then
    -- draining: no more signatures, only cheap requests until wrk ends (see above)
    if next_body > body_count and ran_out_at == 0 then ran_out_at = os.time() end
    draining = true
    return wrk.format("GET", "/healthz")
  end
  local body = bodies[next_body]
  bodies[next_body] = false  -- sent: the memory goes back to Lua
  next_body = next_body + 1
  return wrk.format("POST", "/csc/v2/signatures/signHash", headers, body)
end

function response(status, hdrs, body)
  if status == 200 and body:find('"signatures"', 1, true) then
    signed = signed + 1
  elseif status >= 200 and status < 300 then
    other_2xx = other_2xx + 1
  else
    non_2xx = non_2xx + 1
    status_counts[status] = (status_counts[status] or 0) + 1
    local parts = {}
    for s, n in pairs(status_counts) do parts[#parts + 1] = s .. ":" .. n end
    statuses = table.concat(parts, " ")
  end
end

function done(summary, latency, requests)
  local total_signed, total_non_2xx, left, ran_out = 0, 0, 0, 0
  local status_list = {}
  for _, t in ipairs(threads) do
    total_signed = total_signed + t:get("signed")
    total_non_2xx = total_non_2xx + t:get("non_2xx")
    left = left + math.max(0, t:get("body_count") - t:get("next_body") + 1)
    if t:get("ran_out_at") ~= 0 then ran_out = ran_out + 1 end
    if t:get("statuses") ~= "" then status_list[#status_list + 1] = t:get("statuses") end
  end
  -- machine-readable lines for the scripts (tests/integration/load_test.sh, bench/csc/run.sh)
  io.write(string.format("signhash_signed %d\n", total_signed))
  io.write(string.format("signhash_non_2xx %d %s\n", total_non_2xx, table.concat(status_list, " ")))
  io.write(string.format("signhash_bodies_left %d\n", left))
  io.write(string.format("signhash_threads_ran_out %d\n", ran_out))
  io.write(string.format("signhash_p50_ms %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("signhash_p99_ms %.2f\n", latency:percentile(99) / 1000))
end
