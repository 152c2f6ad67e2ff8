-- wrk script for bench/webhook/run.ts: every request is a new Telegram update.
--   BENCH_BASE=<n> BENCH_SECRET=<secret> wrk -t2 -c16 -d20s -s updates.lua <webhook url>
-- update_id = BENCH_BASE + thread number * 10^7 + the thread's own counter, so ids are unique
-- across wrk's threads and, with a new BENCH_BASE per run, across runs. One request in five
-- is a /start command, the rest plain text; both come from ~5,000 users, each in their own
-- private chat. No response() callback: wrk does not parse bodies, only counts and times.
-- done() prints one BENCH line (JSON): counts, errors, and the latency quantiles (microseconds)
-- every 0.5% plus the tail, from which run.ts pools several runs' percentiles.

local threads = {}
local started = 0

function setup(thread)
  started = started + 1
  thread:set("tid", started)
  table.insert(threads, thread)
end

local base, counter, id_base = 0, 0, 0

function init(args)
  base = tonumber(os.getenv("BENCH_BASE") or "0")
  id_base = base + tid * 10000000
  wrk.method = "POST"
  wrk.headers["content-type"] = "application/json"
  wrk.headers["x-telegram-bot-api-secret-token"] = os.getenv("BENCH_SECRET") or ""
end

local fmt = string.format
local TEMPLATE = '{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,"first_name":"User","last_name":"%d","language_code":"en"},'
  .. '"chat":{"id":%d,"first_name":"User","last_name":"%d","type":"private"},"date":%d,"text":"%s"%s}}'
local START_ENTITIES = ',"entities":[{"offset":0,"length":6,"type":"bot_command"}]'

function request()
  counter = counter + 1
  local id = id_base + counter
  local user = 100000 + (counter * 7919 + tid * 104729) % 5000
  local body
  if counter % 5 == 0 then
    body = fmt(TEMPLATE, id, counter, user, user, user, user, os.time(), "/start", START_ENTITIES)
  else
    body = fmt(TEMPLATE, id, counter, user, user, user, user, os.time(), "hello from wrk " .. counter, "")
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local q = {}
  for i = 1, 199 do q[#q + 1] = fmt('[%.1f,%d]', i / 2, latency:percentile(i / 2)) end
  for _, p in ipairs({ 99.6, 99.7, 99.8, 99.9, 99.95, 99.99 }) do q[#q + 1] = fmt('[%.2f,%d]', p, latency:percentile(p)) end
  q[#q + 1] = fmt('[100,%d]', latency.max)
  io.write(fmt('BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"status_errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,'
    .. '"min_us":%d,"mean_us":%.1f,"quantiles":[%s]}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency.min, latency.mean, table.concat(q, ",")))
end
