-- Case 3: GET /api/v1/lookup?q= with random 3-letter prefixes (the first
-- three letters of random table names: what an ops engineer types), as
-- ops with the bearer token.
local data = os.getenv("BENCH_DATA")
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local reqs = {}

function init(args)
  local f = assert(io.open(data .. "/ops_token.txt"))
  local headers = { ["Authorization"] = "Bearer " .. f:read("*l"),
                    ["Accept-Encoding"] = os.getenv("BENCH_ENCODING") }
  f:close()
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
  local names = {}
  for line in io.lines(data .. "/tables.txt") do names[#names + 1] = line end
  for i = 1, 5000 do
    local tbl = names[math.random(#names)]:match("/(.+)")
    reqs[i] = wrk.format("GET", "/api/v1/lookup?q=" .. tbl:sub(1, 3), headers)
  end
end

local n = 0
function request()
  n = n + 1
  if n > #reqs then n = 1 end
  return reqs[n]
end
