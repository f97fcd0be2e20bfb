-- wrk script: a shopper mix through the gateway, like the anchors' load generators: of every
-- 16 requests of a shopper, 10 browse a product, 3 view the cart, 2 add to it and 1 checks
-- out (after both adds; a new idempotency key each time). Shoppers are signed-in members
-- whose access tokens come one per line from SHOPPERS; they take turns, so one shopper's
-- requests rarely overlap (bench/run has four times as many shoppers as connections). Product ids (stock set high by bench/run) come from PRODUCTS,
-- space-separated. Answers other than 2xx show as "Non-2xx or 3xx responses".
local shoppers, products, n = {}, {}, 0
local run = os.getenv("RUN_ID")
-- B browse, C cart, A add, O order
local plan = {"B", "B", "C", "A", "B", "B", "C", "B", "A", "B", "B", "C", "B", "B", "B", "O"}
local checkout = '{"address":{"recipient":"벤치","phone":"010-0000-0000","postalCode":"06236",'
    .. '"line1":"서울 강남구 테헤란로 1"},"payment":{"cardNumber":"4242424242424242"}}'

function init(args)
    for line in io.lines(os.getenv("SHOPPERS")) do
        shoppers[#shoppers + 1] = line
    end
    for id in string.gmatch(os.getenv("PRODUCTS"), "%d+") do
        products[#products + 1] = id
    end
end

function request()
    local s = n % #shoppers + 1
    local turn = math.floor(n / #shoppers)
    local step = plan[turn % #plan + 1]
    local auth = "Bearer " .. shoppers[s]
    local product = products[(n * 7 + turn) % #products + 1]
    n = n + 1
    if step == "B" then
        return wrk.format("GET", "/api/products/" .. product)
    elseif step == "C" then
        return wrk.format("GET", "/api/cart", {["Authorization"] = auth})
    elseif step == "A" then
        return wrk.format("POST", "/api/cart/items", {["Authorization"] = auth,
            ["Content-Type"] = "application/json"},
            '{"productId":' .. product .. ',"qty":1}')
    end
    return wrk.format("POST", "/api/orders", {["Authorization"] = auth,
        ["Content-Type"] = "application/json",
        ["X-Idempotency-Key"] = "mix-" .. run .. "-" .. s .. "-" .. turn}, checkout)
end
