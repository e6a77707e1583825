-- wrk script of bench/scale.py: requests from a file, one line each, and a JSON summary line at the end.
--   wrk ... -s bench/wrk/lines.lua URL -- get  FILE TOKEN   lines are paths, picked at random
--   wrk ... -s bench/wrk/lines.lua URL -- post FILE TOKEN N lines are "path<TAB>json body", each sent once
--                                                           (thread i of N sends lines i, i+N, ...)
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  mode, file, token = args[1], args[2], args[3]
  lines = {}
  for line in io.lines(file) do
    if #line > 0 then table.insert(lines, line) end
  end
  math.randomseed(id * 7919 + 17)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
  step = tonumber(args[4] or "1")
  cursor = id + 1
end

function request()
  if mode == "get" then
    return wrk.format("GET", lines[math.random(#lines)])
  end
  local line = lines[((cursor - 1) % #lines) + 1]
  cursor = cursor + step
  local tab = string.find(line, "\t", 1, true)
  return wrk.format("POST", string.sub(line, 1, tab - 1), nil, string.sub(line, tab + 1))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\": %d, \"duration_us\": %d, \"non2xx\": %d, \"socket_errors\": %d, " ..
    "\"p50_us\": %d, \"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
