-- Shared done(): one JSON line that run.sh collects. Loaded with dofile by
-- every case script.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, ' ..
    '"p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, ' ..
    '"errors_status": %d, "errors_socket": %d, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, e.status,
    e.connect + e.read + e.write + e.timeout, summary.bytes))
end

-- Shared by the GET cases: init() formats 5000 requests once, each
-- path(lines) for a random line of the file BENCH_DATA/<list>
-- (make(line) gives the path), with the ops bearer token and
-- BENCH_ENCODING; request() cycles through them. So the per-request Lua
-- cost is a table lookup, the same for docket and nginx.
--
-- With BENCH_KEYS=N the requests are a fixed key set instead: N distinct
-- lines drawn with the seed BENCH_SEED (default 1), the same set in every
-- thread and every run of that seed, each thread starting at its own
-- offset. With BENCH_WARM=DIR as well, the threads share one pass over
-- the set (thread k asks for the keys k, k + threads, ...; BENCH_THREADS
-- is wrk's -t) and each leaves the file DIR/k once all its keys have
-- been answered (run.sh then stops wrk): the warm-up of exactly the keys
-- the timed runs then ask for.
function ops_get_cases(list, make)
  local data = os.getenv("BENCH_DATA")
  local nkeys = tonumber(os.getenv("BENCH_KEYS") or "")
  local warm = os.getenv("BENCH_WARM")
  if warm == "" then warm = nil end
  local reqs = {}
  local counter = 0
  function setup(thread)
    counter = counter + 1
    thread:set("tid", counter)
  end
  function init(args)
    local f = assert(io.open(data .. "/ops_token.txt"))
    local headers = { ["Authorization"] = "Bearer " .. f:read("*l"),
                      ["Accept-Encoding"] = os.getenv("BENCH_ENCODING") }
    f:close()
    local lines = {}
    for line in io.lines(data .. "/" .. list) do lines[#lines + 1] = line end
    if not nkeys then
      math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
      for i = 1, 5000 do
        reqs[i] = wrk.format("GET", make(lines, math.random), headers)
      end
      return
    end
    -- a partial Fisher-Yates shuffle: the first nkeys lines of a seeded
    -- permutation, then make() of each with a seeded generator too
    math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1"))
    local n = math.min(nkeys, #lines)
    for i = 1, n do
      local j = math.random(i, #lines)
      lines[i], lines[j] = lines[j], lines[i]
    end
    local picked = {}
    for i = 1, n do picked[i] = lines[i] end
    local all = {}
    for i = 1, n do
      local line = picked[i]
      all[i] = wrk.format("GET", make({ line }, function() return 1 end),
                          headers)
    end
    local tid, threads = tid or 1, tonumber(os.getenv("BENCH_THREADS") or "1")
    if warm then
      for i = tid, n, threads do reqs[#reqs + 1] = all[i] end
    else
      local off = math.floor((tid - 1) * n / threads)
      for i = 1, n do reqs[i] = all[(i + off - 1) % n + 1] end
    end
  end
  local n, answered = 0, 0
  function request()
    n = n + 1
    if n > #reqs then n = 1 end
    return reqs[n]
  end
  if warm and nkeys then
    function response(status, headers, body)
      answered = answered + 1
      if answered == #reqs then
        local f = io.open(warm .. "/" .. tid, "w")
        if f then f:close() end
      end
    end
  end
end
