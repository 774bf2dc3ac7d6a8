-- wrk script: authenticated money calls against a qianbao sandbox server, each with the PIN and
-- its own Idempotency-Key, from the holders `qianbao bench` opened (converted to holders.lua by
-- scripts/bench-wrk.sh). MIX=p2p (default) sends transfers between random holders; MIX=merchant
-- pays the first holder's shop through its static code. wrk is not part of the project: it is the
-- outside measurement the performance issue asks for, beside `qianbao bench`.
--
--   wrk -t2 -c64 -d20s -s scripts/wrk/money.lua http://127.0.0.1:18100
--   (HOLDERS=path/to/holders.lua, MIX=p2p|merchant, PIN=258147 in the environment)

local holders = dofile(os.getenv("HOLDERS") or "holders.lua")
local mix = os.getenv("MIX") or "p2p"
local pin = os.getenv("PIN") or "258147"
local n = #holders.wallets
local counter = 0
local thread_seed = 0

function setup(thread)
  thread_seed = thread_seed + 1
  thread:set("seed", thread_seed)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

local function key()
  counter = counter + 1
  return string.format("%08x-%04x-4%03x-8%03x-%012x", math.random(0, 0x7fffffff),
    math.random(0, 0xffff), math.random(0, 0xfff), math.random(0, 0xfff), counter)
end

function request()
  local amount = math.random(1, 100)
  local path, body, payer
  if mix == "merchant" then
    payer = math.random(2, n)
    path = "/v1/pay"
    body = string.format('{"payload":"%s","amount":%d,"pin":"%s"}', holders.static_qr, amount, pin)
  else
    payer = math.random(1, n)
    local payee = ((payer - 1 + math.random(1, n - 1)) % n) + 1
    path = "/v1/transfers"
    body = string.format('{"to_wallet_id":"%s","amount":%d,"pin":"%s"}', holders.wallets[payee], amount, pin)
  end
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. holders.tokens[payer],
    ["Idempotency-Key"] = key(),
    ["Content-Type"] = "application/json",
  }, body)
end

function done(summary, latency, requests)
  -- One JSON line last, like `qianbao bench`. A refused call (4xx, 5xx) counts in non_2xx_3xx;
  -- no response() hook, so wrk keeps its fast path and measures the server, not the script.
  local e = summary.errors
  io.write(string.format(
    '{"tool":"wrk","mix":"%s","requests":%d,"seconds":%.2f,"ops_per_sec":%.1f,' ..
    '"p50_ms":%.2f,"p99_ms":%.2f,"p999_ms":%.2f,"max_ms":%.2f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"non_2xx_3xx":%d}}\n',
    mix, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.timeout, e.status))
end
