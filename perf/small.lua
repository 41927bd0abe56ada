-- wrk script for the small-request scenario of perf/run: one-record JSON bodies of the events
-- workload, each with a unique event_id (run id, thread and counter), posted as fast as the
-- connections allow. Usage: wrk -t2 -c64 -d10s -s perf/small.lua URL -- RUN_ID
local threads = {}
local counter = 0
local prefix = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local run = tonumber(args[1]) or 0
  prefix = run * 256 + (tonumber(wrk.thread:get("tid")) or 0)
end

request = function()
  counter = counter + 1
  local body = string.format('{"event_id":"%08x-0000-4000-8000-%012x","ts":"2026-01-01T00:00:00Z","source":"wrk",'
    .. '"kind":"small","user_id":%d,"value":1.5,"payload":{"session":"abcdef0123456789","page":"/p/1","n":%d,'
    .. '"tags":["a","b"]}}', prefix, counter, counter, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("WRK requests=%d seconds=%.3f non2xx=%d errors=%d p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f\n",
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
