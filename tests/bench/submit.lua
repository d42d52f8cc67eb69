-- Case 5: POST /api/v1/requests, a new_table request with 20 columns and a
-- unique table name, as a client with its bearer token (clients of every
-- organisation, round robin). Durable: the server commits with
-- synchronous=FULL. BENCH_RUN makes names unique across runs.
local data = os.getenv("BENCH_DATA")
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local run = os.getenv("BENCH_RUN") or "0"
local clients = {}
local tid = 0
local n = 0

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local types = { "bigint", "string(255)", "string(50)", "boolean", "date",
                "timestamp", "decimal(12,2)", "integer", "text" }
local cols = {}

function init(args)
  for line in io.lines(data .. "/client_tokens.txt") do
    local token, inst, pm, org = line:match("(%S+) (%S+) (%S+) (%S+)")
    clients[#clients + 1] = { headers = {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json" }, inst = inst, pm = pm }
  end
  local c = {}
  for i = 1, 20 do
    c[#c + 1] = string.format(
      '{"name":"attribute_%02d","type":"%s","nullable":%s,' ..
      '"primary_key":%s,"description":"Attribute %d of the feed, ' ..
      'as delivered in the daily file.","example":"%d","pii":%s,' ..
      '"consent":false,"consent_channel":"","action":"add","rule":""}',
      i, i == 1 and "bigint" or types[(i % #types) + 1],
      i == 1 and "false" or "true", i == 1 and "true" or "false", i,
      i * 17, i % 7 == 0 and "true" or "false")
  end
  cols = table.concat(c, ",")
end

function request()
  n = n + 1
  local c = clients[(n % #clients) + 1]
  local name = string.format("bench_%s_%d_%d", run, tid, n)
  local body = '{"instance":"' .. c.inst .. '","project_manager":"' .. c.pm ..
    '","title":"New feed ' .. name .. '","summary":"A new daily feed ' ..
    'for the loyalty team.","consent_related":false,"consent_note":"",' ..
    '"desired_date":"","items":[{"kind":"new_table","table":"' .. name ..
    '","description":"Daily loyalty feed.","source":"flat_file_csv",' ..
    '"cadence":"daily","expected_arrival":"06:00","late_after_minutes":60,' ..
    '"file_pattern":"' .. name .. '_YYYYMMDD.csv","campaign_dependency":' ..
    '"optional","campaign_note":"","owner":"loyalty@example.com",' ..
    '"escalation":"","examples":"","notes":"","columns":[' .. cols .. ']}]}'
  return wrk.format("POST", "/api/v1/requests", c.headers, body)
end
