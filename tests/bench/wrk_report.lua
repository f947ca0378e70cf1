-- wrk_report.lua - wrk's summary as one line in the keys of the other
-- benchmark programs (tests/bench/http.sh passes it with -s):
--
--   wrk requests=N rate=N/s p50=Xms p99=Xms max=Xms errors=N status_4xx_5xx=N
--
-- rate is the requests completed per second of the run; errors the socket
-- errors (connect, read, write, timeout); status_4xx_5xx the answers with
-- a status of 400 or more (wrk counts no other kind).

done = function(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   if secs <= 0 then
      secs = 1e-9
   end
   io.write(string.format("wrk requests=%d rate=%.0f/s p50=%.2fms " ..
      "p99=%.2fms max=%.2fms errors=%d status_4xx_5xx=%d\n",
      summary.requests, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, e.connect + e.read + e.write + e.timeout,
      e.status))
end
