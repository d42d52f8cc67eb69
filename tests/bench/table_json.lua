-- Case 1 (and the nginx baseline, case 6): GET the table JSON of random
-- tables with the ops bearer token. Requests are formatted once in init()
-- so the per-request Lua cost is a table lookup, the same for docket and
-- nginx. BENCH_DATA names the directory with tables.txt and ops_token.txt.
local data = os.getenv("BENCH_DATA")
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local prefix = os.getenv("BENCH_PREFIX") or "/api/v1/instances/%s/tables/%s"
local reqs = {}

function init(args)
  local f = assert(io.open(data .. "/ops_token.txt"))
  local token = f:read("*l")
  f:close()
  local headers = { ["Authorization"] = "Bearer " .. token,
                    ["Accept-Encoding"] = os.getenv("BENCH_ENCODING") }
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
  local names = {}
  for line in io.lines(data .. "/tables.txt") do names[#names + 1] = line end
  for i = 1, 5000 do
    local inst, tbl = names[math.random(#names)]:match("([^/]+)/(.+)")
    reqs[i] = wrk.format("GET", prefix:format(inst, tbl), headers)
  end
end

local n = 0
function request()
  n = n + 1
  if n > #reqs then n = 1 end
  return reqs[n]
end
