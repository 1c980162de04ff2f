-- wrk script for bench/cast.py: send each line of a file exactly once, then stop.
--
-- Usage: wrk -t T -c C -d SAFETY --timeout 60s -s bench/cast.lua URL -- METHOD PATH FILE T STATE
--
-- METHOD PATH: the request (POST bodies are the file's lines; for GET the lines only count).
-- FILE: one request body per line; thread k of T takes lines k, k+T, k+2T, ...
-- STATE: a path prefix for this run's side files: STATE.done gets a line per finished thread
--   (bench/cast.py interrupts wrk once every thread has one, instead of waiting for -d),
--   STATE.err the first few non-2xx answers.
--
-- A connection with nothing left to send sends nothing and waits, so every line is sent once
-- and answered before its thread stops: nothing is in flight when wrk reports. Latency is
-- wrk's own (from writing a request to its answer), without coordinated-omission padding.
-- The run's duration is from the first request written to the last answer read (monotonic
-- clock through LuaJIT's FFI), not wrk's own, which would include the wait for the interrupt.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")

local function now_us()
   ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC: one clock for every thread
   return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local threads = {}
local created = 0

function setup(thread)
   created = created + 1
   thread:set("id", created)
   table.insert(threads, thread)
end

function init(args)
   method, target, file = args[1], args[2], args[3]
   nthreads, state = tonumber(args[4]), args[5]
   bodies = {}
   local n = 0
   for line in io.lines(file) do
      if n % nthreads == id - 1 then
         bodies[#bodies + 1] = line
      end
      n = n + 1
   end
   sent, answered, ok, errors_kept = 0, 0, 0, 0
   first_us, last_us = 0, 0
   statuses = {}
   headers = { ["Content-Type"] = "application/json" }
   finished = #bodies == 0
   -- wrk calls request() once on the first thread before it starts, to check the request
   -- parses, and throws the answer away: that call must not use up a line.
   checked = id ~= 1
end

function request()
   if not checked then
      checked = true
      return wrk.format("GET", target)
   end
   if sent >= #bodies then
      return ""  -- nothing more: this connection idles until the thread stops
   end
   if sent == 0 then
      first_us = now_us()
   end
   sent = sent + 1
   if method == "GET" then
      return wrk.format("GET", target)
   end
   return wrk.format(method, target, headers, bodies[sent])
end

function response(status, _, body)
   answered = answered + 1
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   if status >= 200 and status < 300 then
      ok = ok + 1
   elseif errors_kept < 5 then
      errors_kept = errors_kept + 1
      local handle = io.open(state .. ".err", "a")
      handle:write(key, " ", (body or ""):sub(1, 300):gsub("\n", " "), "\n")
      handle:close()
   end
   if answered >= #bodies and not finished then
      finished = true
      last_us = now_us()
      local handle = io.open(state .. ".done", "a")
      handle:write(id, "\n")
      handle:close()
      wrk.thread:stop()
   end
end

function done(summary, latency, _)
   local sent_all, answered_all, ok_all = 0, 0, 0
   local first, last = nil, 0
   local parts = {}
   local merged = {}
   for _, thread in ipairs(threads) do
      sent_all = sent_all + thread:get("sent")
      answered_all = answered_all + thread:get("answered")
      ok_all = ok_all + thread:get("ok")
      local started, ended = thread:get("first_us"), thread:get("last_us")
      if thread:get("sent") > 0 and (first == nil or started < first) then
         first = started
      end
      if ended > last then
         last = ended
      end
      for key, count in pairs(thread:get("statuses")) do
         merged[key] = (merged[key] or 0) + count
      end
   end
   for key, count in pairs(merged) do
      parts[#parts + 1] = string.format('"%s":%d', key, count)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH-RESULT {"duration_us":%d,"wrk_duration_us":%d,"requests":%d,"sent":%d,"answered":%d,"ok":%d,'
         .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
         .. '"connect":%d,"read":%d,"write":%d,"timeout":%d,"statuses":{%s}}\n',
      math.floor((first and last > 0) and (last - first) or summary.duration), summary.duration,
      summary.requests, sent_all, answered_all, ok_all,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean, e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
