-- wrk script for bench/server.sh: GET {JIXIAO_PREFIX}{id} (default /api/dossiers/; the
-- HTML page with /dossiers/) with an id drawn uniformly from [JIXIAO_FIRST, JIXIAO_LAST],
-- logged in with the session cookie in JIXIAO_COOKIE ("jixiao_session=…"). Each wrk
-- thread seeds its own generator.
local first = tonumber(os.getenv("JIXIAO_FIRST"))
local last = tonumber(os.getenv("JIXIAO_LAST"))
local prefix = os.getenv("JIXIAO_PREFIX") or "/api/dossiers/"
local headers = { ["Cookie"] = os.getenv("JIXIAO_COOKIE") }

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 7919 + (seed or 0))
end

function request()
  return wrk.format("GET", prefix .. math.random(first, last), headers)
end
