-- Case 3: GET /api/v1/lookup?q= with random 3-letter prefixes (the first
-- three letters of random table names: what an ops engineer types), as
-- ops with the bearer token.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
ops_get_cases("tables.txt", function(names, random)
  local tbl = names[random(#names)]:match("/(.+)")
  return "/api/v1/lookup?q=" .. tbl:sub(1, 3)
end)
