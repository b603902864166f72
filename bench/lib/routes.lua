-- wrk script for the 10,000-route scenario: spreads requests over BENCH_HOSTS hostnames (h<i>.bench) x
-- BENCH_PATHS path prefixes (/p<j>); every second request carries "x-variant: canary" (the header-match rule).
-- Requests are built once in init() and cycled, so Lua costs little on the load generator's core.
local hosts = tonumber(os.getenv("BENCH_HOSTS") or "1000")
local paths = tonumber(os.getenv("BENCH_PATHS") or "10")
local reqs = {}
local n = 0

init = function(args)
  math.randomseed(20261127)
  for i = 1, 8192 do
    local h = math.random(0, hosts - 1)
    local p = math.random(0, paths - 1)
    local hdr = { ["Host"] = "h" .. h .. ".bench" }
    if i % 2 == 0 then hdr["x-variant"] = "canary" end
    reqs[i] = wrk.format("GET", "/p" .. p .. "/item", hdr)
  end
end

request = function()
  n = n % #reqs + 1
  return reqs[n]
end
