-- Case 1 (and the nginx baseline, case 6): GET the table JSON of random
-- tables with the ops bearer token. BENCH_DATA names the directory with
-- tables.txt and ops_token.txt; BENCH_PREFIX, when set, is the path
-- pattern (instance, table) instead of the API's.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local prefix = os.getenv("BENCH_PREFIX") or "/api/v1/instances/%s/tables/%s"
ops_get_cases("tables.txt", function(names, random)
  local inst, tbl = names[random(#names)]:match("([^/]+)/(.+)")
  return prefix:format(inst, tbl)
end)
