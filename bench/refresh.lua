-- wrk script: POST /api/auth/refresh with rotating tokens. Tokens come one per line from the
-- file named by REFRESH_TOKENS; each is used once, and every answer's new refresh token goes
-- back into the queue, so every request presents a live token (no reuse detection fires).
-- wrk reports answers other than 2xx as "Non-2xx or 3xx responses".
local queue, head, tail = {}, 1, 0
local client = os.getenv("CLIENT_BASIC")

function init(args)
    for line in io.lines(os.getenv("REFRESH_TOKENS")) do
        tail = tail + 1
        queue[tail] = line
    end
end

function request()
    if head > tail then
        -- Every token is in flight: ask with a placeholder that auth refuses cheaply.
        return wrk.format("POST", nil, {["Authorization"] = client,
            ["Content-Type"] = "application/json"}, '{"refresh_token":"none"}')
    end
    local t = queue[head]
    queue[head] = nil
    head = head + 1
    return wrk.format("POST", nil, {["Authorization"] = client,
        ["Content-Type"] = "application/json"}, '{"refresh_token":"' .. t .. '"}')
end

function response(status, headers, body)
    local t = body:match('"refresh_token":"([%w_-]+)"')
    if status == 200 and t then
        tail = tail + 1
        queue[tail] = t
    end
end

