/* The cart's rules with no HTTP or SQL in them. */
#include "order.h"

long long
order_cart_add_qty(long long have, long long add, long long available)
{
    long long q = have + add;
    if (q > ORDER_QTY_MAX) {
        q = ORDER_QTY_MAX;
    }
    if (q > available) {
        q = available;
    }
    return q;
}
