-- wrk script: POST /api/orders straight at the order service, every request a new shopper's
-- checkout of the cart bench/run filled for it (one line), with its own idempotency key, an
-- address given inline and the approving sandbox card: the whole saga (the order row, the
-- catalog reservation, the charge at payment and its provider, PAID, the commit). Tokens
-- come one per line from the file named by TOKENS (bench/run mints them), keys from RUN_ID.
-- Answers other than 2xx show as "Non-2xx or 3xx responses".
local tokens, n = {}, 0
local run = os.getenv("RUN_ID")
local body = '{"address":{"recipient":"벤치","phone":"010-0000-0000","postalCode":"06236",'
    .. '"line1":"서울 강남구 테헤란로 1"},"payment":{"cardNumber":"4242424242424242"}}'

function init(args)
    for line in io.lines(os.getenv("TOKENS")) do
        tokens[#tokens + 1] = line
    end
end

function request()
    n = n + 1
    local t = tokens[(n - 1) % #tokens + 1]
    return wrk.format("POST", nil, {["Authorization"] = "Bearer " .. t,
        ["X-Idempotency-Key"] = "bench-" .. run .. "-" .. n,
        ["Content-Type"] = "application/json"}, body)
end
