-- The checks and figures of one phase of bench/load.py, run by wrk (`wrk ... -s bench/load.lua URL -- MARKER`).
--
-- A response counts only when it is a 200 whose body holds MARKER: a sign-in page, an error page or
-- a proxy's page that also answers would otherwise pass for the page itself. done() prints one line,
-- "LOAD {json}", that load.py reads: requests, the errors of each kind, and the latency percentiles.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   marker = args[1]
   not_200 = 0 -- answered with another status (a redirect to the sign-in page, a 500, a 429)
   no_marker = 0 -- a 200 without the marker
   problem = ""
end

function response(status, headers, body)
   if status ~= 200 then
      not_200 = not_200 + 1
      if problem == "" then
         problem = "status " .. status
      end
   elseif not string.find(body, marker, 1, true) then
      no_marker = no_marker + 1
      if problem == "" then
         problem = "a 200 without " .. marker
      end
   end
end

function done(summary, latency, requests)
   local not_200, no_marker, problem = 0, 0, ""
   for _, thread in ipairs(threads) do
      not_200 = not_200 + thread:get("not_200")
      no_marker = no_marker + thread:get("no_marker")
      if problem == "" then
         problem = thread:get("problem")
      end
   end
   local errors = summary.errors
   io.write(string.format(
      'LOAD {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
         .. '"write_errors": %d, "timeouts": %d, "not_200": %d, "no_marker": %d, '
         .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "problem": "%s"}\n',
      summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
      errors.write, errors.timeout, not_200, no_marker,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      (string.gsub(problem, '["\\]', "'"))
   ))
end
