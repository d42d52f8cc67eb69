-- Case 4: GET /api/v1/search?q= with two random words of the description
-- vocabulary, as ops with the bearer token.
local data = os.getenv("BENCH_DATA")
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local reqs = {}

function init(args)
  local f = assert(io.open(data .. "/ops_token.txt"))
  local headers = { ["Authorization"] = "Bearer " .. f:read("*l"),
                    ["Accept-Encoding"] = os.getenv("BENCH_ENCODING") }
  f:close()
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
  local words = {}
  for line in io.lines(data .. "/words.txt") do words[#words + 1] = line end
  for i = 1, 5000 do
    local q = words[math.random(#words)] .. "+" .. words[math.random(#words)]
    reqs[i] = wrk.format("GET", "/api/v1/search?q=" .. q, headers)
  end
end

local n = 0
function request()
  n = n + 1
  if n > #reqs then n = 1 end
  return reqs[n]
end
