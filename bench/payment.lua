-- wrk script: POST /internal/payments, a new order every request (so every request is a
-- whole charge: a PENDING row, authorize and capture at the provider, the settled row with
-- its events and outbox rows). The internal token comes from INTERNAL_TOKEN, the run's
-- order-id prefix from RUN_ID. Answers other than 201 show as "Non-2xx or 3xx responses".
local n = 0
local token = os.getenv("INTERNAL_TOKEN")
local run = os.getenv("RUN_ID")

function request()
    n = n + 1
    local body = '{"orderId":"bench-' .. run .. '-' .. n .. '","amount":12900,'
        .. '"currency":"KRW","method":{"cardNumber":"4242424242424242"},"payerId":"benchuser"}'
    return wrk.format("POST", nil, {["X-Internal-Token"] = token,
        ["Content-Type"] = "application/json"}, body)
end
