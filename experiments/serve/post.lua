-- wrk -s post.lua: POSTs the file named by $BODY with the Content-Type $TYPE.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("TYPE") or "application/json"
