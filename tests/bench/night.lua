-- Case night_shift: each connection is one ops engineer on the night
-- shift doing lookup -> card -> search again and again: the lookup of the
-- first three letters of a table name, that table's rules card, then a
-- search for two words, each with the ops bearer token and gzip. Run with
-- as many wrk threads as connections (-t200 -c200), so a thread's state
-- is its connection's: request() notes the step and the time, response()
-- adds the latency to the step's list (LuaJIT's FFI reads the monotonic
-- clock), and done() reports each step's req/s and p50/p99 beside wrk's
-- own totals. BENCH_DATA/night.txt lists the tables (run.sh picks them),
-- words.txt the search words.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local report_done = done
local data = os.getenv("BENCH_DATA")
local steps = { "lookup", "card", "search" }

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local headers, tables, words = nil, {}, {}
local step, started, current = 0, 0, nil
-- per step, read by done() through thread:get (flat tables: wrk cannot
-- copy nested ones between threads)
lat1, lat2, lat3 = {}, {}, {}
local lat = { lat1, lat2, lat3 }
errs = 0

function init(args)
  local f = assert(io.open(data .. "/ops_token.txt"))
  headers = { ["Authorization"] = "Bearer " .. f:read("*l"),
              ["Accept-Encoding"] = "gzip" }
  f:close()
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
  for line in io.lines(data .. "/night.txt") do tables[#tables + 1] = line end
  for line in io.lines(data .. "/words.txt") do words[#words + 1] = line end
end

function request()
  step = step % 3 + 1
  local path
  if step == 1 then
    current = tables[math.random(#tables)]
    path = "/api/v1/lookup?q=" .. current:match("/(.+)"):sub(1, 3)
  elseif step == 2 then
    path = "/tables/" .. current
  else
    path = "/api/v1/search?q=" .. words[math.random(#words)] .. "+" ..
      words[math.random(#words)]
  end
  started = now_ms()
  return wrk.format("GET", path, headers)
end

function response(status, hdrs, body)
  local l = lat[step]
  l[#l + 1] = now_ms() - started
  if status ~= 200 then errs = errs + 1 end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local parts, errors = {}, 0
  for i, name in ipairs(steps) do
    local all = {}
    for _, t in ipairs(threads) do
      for _, v in ipairs(t:get("lat" .. i)) do all[#all + 1] = v end
      if i == 1 then errors = errors + t:get("errs") end
    end
    table.sort(all)
    local function pct(p)
      if #all == 0 then return 0 end
      return all[math.floor(p / 100 * (#all - 1) + 0.5) + 1]
    end
    parts[#parts + 1] = string.format(
      '"%s": {"requests": %d, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f}',
      name, #all, #all / secs, pct(50), pct(99))
  end
  -- wrk's own line first (run.sh reads the first "rps" and "p99_ms"),
  -- with the steps and the non-200 answers inside it
  io.write("BENCH_STEPS {" .. table.concat(parts, ", ") ..
    string.format(', "non_200": %d}\n', errors))
  report_done(summary, latency, requests)
end
