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
function ops_get_cases(list, make)
  local data = os.getenv("BENCH_DATA")
  local reqs = {}
  function init(args)
    local f = assert(io.open(data .. "/ops_token.txt"))
    local headers = { ["Authorization"] = "Bearer " .. f:read("*l"),
                      ["Accept-Encoding"] = os.getenv("BENCH_ENCODING") }
    f:close()
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
    local lines = {}
    for line in io.lines(data .. "/" .. list) do lines[#lines + 1] = line end
    for i = 1, 5000 do
      reqs[i] = wrk.format("GET", make(lines, math.random), headers)
    end
  end
  local n = 0
  function request()
    n = n + 1
    if n > #reqs then n = 1 end
    return reqs[n]
  end
end
