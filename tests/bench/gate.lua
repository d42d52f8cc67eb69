-- Case gate_500 (and its nginx baseline): GET the campaign gate of the
-- instance named in BENCH_DATA/gate.txt ("feeds-prod" with 500 tracked
-- tables and 14 days of arrivals) at the moment written there, with the
-- ops bearer token; the same request every time, as a scheduler polls.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
ops_get_cases("gate.txt", function(lines, random)
  local inst, at = lines[random(#lines)]:match("(%S+) (%S+)")
  return ("/api/v1/instances/%s/gate?at=%s"):format(inst, at)
end)
