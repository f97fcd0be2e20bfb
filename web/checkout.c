/*
 * Checkout: the page (a signed-in member's cart with its totals, a choice among the saved
 * addresses or a new one, the card form with the sandbox's test cards) and its post, which
 * becomes POST /api/orders through the gateway with the key the page was rendered with as
 * X-Idempotency-Key, so that a double click places one order. A placed order (201, or 202
 * while its payment is being confirmed) sends the browser on to its page (303); a refusal
 * shows the page again with the reason: the card declined (402, the cart kept), products no
 * longer buyable (409, next to their lines), a field (400, next to it), or try again (503).
 * The card number is never written back into a page.
 *
 * The key: the page comes back with a new one after an answer that settled this attempt
 * (a decline is the key's answer for good, so a second card needs another key), and with
 * the same one when web cannot tell what happened (no answer in time, a 5xx without an
 * order), so that trying again replays that checkout instead of placing a second order.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "agora/err.h"
#include "agora/log.h"

static const char *const address_fields[] = {"recipient", "phone", "postalCode", "line1", "line2"};
#define NFIELDS    (sizeof(address_fields) / sizeof(address_fields[0]))
#define NREQUIRED  4 /* all but line2 */
#define NEW_CHOICE "new"

/* The psp-sandbox's test cards (services/psp-sandbox), with what each does. */
static const struct {
    const char *number, *key;
} test_cards[] = {
    {"4242 4242 4242 4242", "checkout_card_approves"},
    {"4000 0000 0000 9995", "checkout_card_insufficient"},
    {"4000 0000 0000 9979", "checkout_card_stolen"},
    {"4000 0000 0000 0077", "checkout_card_slow"},
    {"4000 0000 0000 0119", "checkout_card_fails_once"},
};
#define NCARDS (sizeof(test_cards) / sizeof(test_cards[0]))

static json_t *
test_cards_view(struct ag_req *req, const struct web_visit *v)
{
    json_t *out = json_array();
    for (size_t i = 0; i < NCARDS; i++) {
        json_array_append_new(out, json_pack("{s:s,s:s}", "number", test_cards[i].number, "what",
                                             web_text(req, v, test_cards[i].key)));
    }
    return out;
}

/* A string field of 'obj', "" when absent (templates look a missing name up outside). */
static const char *
str_of(const json_t *obj, const char *field)
{
    const char *s = json_string_value(json_object_get(obj, field));
    return s != NULL ? s : "";
}

/*
 * The member's saved addresses as radio choices: 'chosen' (may be NULL) checked when it is
 * one of them, else the default one, else the first. '*checked' gets the checked id, or
 * NEW_CHOICE (no saved address, or the member chose a new one).
 */
static json_t *
address_choices(struct ag_req *req, struct web_visit *v, const char *chosen, const char **checked)
{
    struct ag_httpc_resp resp;
    const char *path = ag_arena_printf(req->arena, "/api/members/%s/addresses", v->claims.sub);
    int rc = web_api_call(req, v, "GET", path, NULL, NULL, &resp);
    const json_t *list = rc == 0 && resp.status == 200 ? json_object_get(resp.json, "data") : NULL;
    size_t i;
    const json_t *a;
    const char *pick = NULL, *first = NULL, *fallback = NULL;

    json_array_foreach(list, i, a)
    {
        const char *id = str_of(a, "id");
        first = first != NULL ? first : id;
        if (json_is_true(json_object_get(a, "isDefault")) && fallback == NULL) {
            fallback = id;
        }
        if (chosen != NULL && strcmp(chosen, id) == 0) {
            pick = id;
        }
    }
    if (pick == NULL && (chosen == NULL || strcmp(chosen, NEW_CHOICE) != 0)) {
        pick = fallback != NULL ? fallback : first;
    }
    json_t *out = json_array();
    json_array_foreach(list, i, a)
    {
        const char *id = str_of(a, "id");
        json_array_append_new(out,
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b}", "id", id, "recipient",
                                        str_of(a, "recipient"), "phone", str_of(a, "phone"),
                                        "postalCode", str_of(a, "postalCode"), "line1",
                                        str_of(a, "line1"), "line2", str_of(a, "line2"),
                                        "isDefault", json_is_true(json_object_get(a, "isDefault")),
                                        "checked", pick != NULL && strcmp(pick, id) == 0));
    }
    *checked = pick != NULL ? ag_arena_strdup(req->arena, pick) : NEW_CHOICE;
    if (rc != 0 || resp.status != 200) {
        ag_log(AG_LOG_WARN, req->request_id, "checkout without saved addresses: HTTP %ld",
               resp.status);
    }
    ag_httpc_resp_release(&resp);
    return out;
}

/* The new address's fields as entered (never the card), "" for each one missing. */
static json_t *
form_values(const struct ag_uri *f)
{
    json_t *values = json_object();
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *s = f != NULL ? ag_form_get(f, address_fields[i]) : NULL;
        json_object_set_new(values, address_fields[i], json_string(s != NULL ? s : ""));
    }
    return values;
}

/* Marks the lines the order service named ({productId, requested, available}) with why. */
static void
mark_problems(struct ag_req *req, const struct web_visit *v, json_t *d, const json_t *problems)
{
    size_t i, k;
    json_t *line;
    const json_t *p;

    json_array_foreach(json_object_get(d, "items"), i, line)
    {
        json_int_t id = json_integer_value(json_object_get(line, "productId"));
        json_array_foreach(problems, k, p)
        {
            if (json_integer_value(json_object_get(p, "productId")) != id) {
                continue;
            }
            char n[24];
            json_int_t available = json_integer_value(json_object_get(p, "available"));
            snprintf(n, sizeof(n), "%lld", (long long)available);
            const char *const pairs[] = {"{n}", n, NULL};
            const char *text = available > 0 ? web_text_fill(req, v, "checkout_line_only", pairs)
                                             : web_text(req, v, "checkout_line_unavailable");
            json_object_set_new(line, "problem", json_string(text));
        }
    }
}

/*
 * The checkout page with 'status'. 'd' (stolen, may be NULL) carries an alert and field
 * errors; 'f' (may be NULL) the values as entered; 'idem' the key the form posts (NULL: a
 * new one); 'problems' (borrowed, may be NULL) the lines the order service refused.
 */
static int
checkout_page(struct ag_req *req, struct web_visit *v, int status, json_t *d,
              const struct ag_uri *f, const char *idem, const json_t *problems)
{
    char fresh[WEB_IDEM_HEX + 1];
    const char *checked = NEW_CHOICE;
    size_t lines;

    if (d == NULL) {
        d = web_page_data(req, v, "checkout_title");
    }
    if (web_cart_view(req, v, d, &lines) < 0) {
        json_object_set_new(d, "message", json_string(web_text(req, v, "cart_unavailable")));
        return web_page_reply(req, 503, "error", d);
    }
    if (lines == 0) {
        json_object_set_new(d, "empty", json_true());
        return web_page_reply(req, status, "checkout", d);
    }
    mark_problems(req, v, d, problems);
    if (idem == NULL) {
        web_random_hex(fresh, WEB_IDEM_HEX / 2); /* one per rendered form, as sign-up's */
        idem = fresh;
    }
    json_object_set_new(d, "idem", json_string(idem));
    json_t *choices =
        address_choices(req, v, f != NULL ? ag_form_get(f, "address") : NULL, &checked);
    json_object_set_new(d, "has_addresses", json_boolean(json_array_size(choices) > 0));
    json_object_set_new(d, "addresses", choices);
    json_object_set_new(d, "new_checked", json_boolean(strcmp(checked, NEW_CHOICE) == 0));
    json_object_set_new(d, "values", form_values(f));
    json_object_set_new(d, "test_cards", test_cards_view(req, v));
    json_object_set_new(d, "noindex", json_true());
    return web_page_reply(req, status, "checkout", d);
}

/* GET /checkout */
int
web_checkout(struct ag_req *req)
{
    struct web_visit v;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    if (!v.signed_in) {
        return web_redirect(req, "/login?next=/checkout");
    }
    return checkout_page(req, &v, 200, NULL, NULL, NULL, NULL);
}

/* The card number of the form without spaces and dashes, in the arena (zero it after use). */
static char *
card_digits(struct ag_req *req, const struct ag_uri *f)
{
    const char *s = ag_form_get(f, "cardNumber");
    s = s != NULL ? s : "";
    char *out = ag_arena_alloc(req->arena, strlen(s) + 1), *o = out;
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '-') {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

/*
 * The order service's address from the form: {addressId} of the saved one chosen, or the
 * new one's fields. NULL when a field of a new address is missing (each named in 'errors').
 */
static json_t *
address_of(struct ag_req *req, const struct web_visit *v, const struct ag_uri *f, json_t *errors)
{
    const char *choice = ag_form_get(f, "address");
    if (choice != NULL && choice[0] != '\0' && strcmp(choice, NEW_CHOICE) != 0) {
        return json_pack("{s:s}", "addressId", choice);
    }
    json_t *a = json_object();
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *val = web_admin_field(req, f, address_fields[i]); /* trimmed */
        if (val[0] == '\0' && i < NREQUIRED) {
            json_object_set_new(errors, address_fields[i],
                                json_string(web_text(req, v, "invalid_required")));
        } else if (val[0] != '\0') {
            json_object_set_new(a, address_fields[i], json_string(val));
        }
    }
    if (json_object_size(errors) > 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* The form field of the order service's details.field ("address.phone": "phone"). */
static const char *
form_field(const char *field)
{
    if (strcmp(field, "payment") == 0 || strncmp(field, "payment.", 8) == 0) {
        return "cardNumber";
    }
    if (strcmp(field, "address") == 0 || strcmp(field, "address.addressId") == 0) {
        return "address";
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        if (strncmp(field, "address.", 8) == 0 && strcmp(field + 8, address_fields[i]) == 0) {
            return address_fields[i];
        }
    }
    return NULL;
}

/* "카드가 거절되었습니다 (잔액 부족)…" for the decline 'reason' (may be NULL). */
static const char *
declined_text(struct ag_req *req, const struct web_visit *v, const char *reason)
{
    const char *words = web_order_reason_text(req, v, reason);
    if (words == NULL || words == reason) {
        return web_text(req, v, "checkout_declined_plain"); /* no words for it */
    }
    const char *const pairs[] = {"{reason}", words, NULL};
    return web_text_fill(req, v, "checkout_declined", pairs);
}

/* What a page after a refusal shows: its status, the alert, errors, the key to post. */
struct refusal {
    int status;
    const char *alert;
    const char *keep;       /* the same key again, or NULL for a new one */
    const json_t *problems; /* borrowed from the answer */
};

/* The refusal of a 4xx or 5xx answer (or of none, rc != 0), errors into 'errors'. */
static void
refusal_of(struct ag_req *req, const struct web_visit *v, int rc, const struct ag_httpc_resp *resp,
           const char *idem, json_t *errors, struct refusal *r)
{
    long status = rc == 0 ? resp->status : 0;
    const json_t *details = rc == 0 ? web_resp_details(resp) : NULL;
    const char *code = rc == 0 ? web_resp_code(resp) : NULL;
    const char *reason = json_string_value(json_object_get(details, "reason"));
    const char *field = rc == 0 ? web_resp_field(resp) : NULL;

    *r = (struct refusal){.status = status >= 400 && status < 500 ? (int)status : 503};
    if (status == 402) {
        r->alert = declined_text(req, v, reason);
    } else if (status == 409 && code != NULL && strcmp(code, "BIZ_3003") == 0) {
        r->alert = web_text(req, v, "checkout_in_flight");
        r->keep = idem;
    } else if (status == 409 && json_is_array(json_object_get(details, "items"))) {
        r->alert = web_text(req, v, "checkout_items_changed");
        r->problems = json_object_get(details, "items");
    } else if (status == 409 && reason != NULL) {
        r->alert = web_text(req, v, "checkout_sold_out"); /* out_of_stock; nothing charged */
    } else if (status == 409) {
        r->alert = web_text(req, v, "checkout_cart_empty");
    } else if (status == 400 && field != NULL && form_field(field) != NULL) {
        const char *name = form_field(field);
        json_object_set_new(errors, name,
                            json_string(web_field_text(req, v, name, web_resp_message(resp))));
        r->alert = web_text(req, v, "error_form");
    } else if (status >= 400 && status < 500) {
        r->alert = web_text(req, v, "error_form");
    } else if (status == 503 && json_string_value(json_object_get(details, "orderId")) != NULL) {
        r->alert = web_text(req, v, "checkout_failed"); /* it ended; nothing was charged */
    } else {
        r->alert = web_text(req, v, "checkout_unknown"); /* it may go on: the same key */
        r->keep = idem;
        ag_log(AG_LOG_WARN, req->request_id, "checkout: %s, HTTP %ld; the form keeps its key",
               rc != 0 ? ag_err_name(rc) : "answered", status);
    }
}

/*
 * After POST /api/orders: 303 to the order, or the page again with why. A 2xx with a
 * cancelled order is the replay of a key whose checkout ended without a sale.
 */
static int
checkout_answer(struct ag_req *req, struct web_visit *v, const struct ag_uri *f, int rc,
                struct ag_httpc_resp *resp, const char *idem)
{
    struct refusal r;
    const json_t *order = rc == 0 ? json_object_get(resp->json, "data") : NULL;
    const char *id = json_string_value(json_object_get(order, "id"));
    const char *status = str_of(order, "status");

    if (rc == 0 && resp->status / 100 == 2 && id != NULL && strcmp(status, "CANCELLED") != 0) {
        const char *to =
            ag_arena_printf(req->arena, "/orders/%s?placed=1", web_query_escape(req->arena, id));
        ag_httpc_resp_release(resp);
        return web_redirect(req, to);
    }
    if (rc == 0 && resp->status == 401) {
        ag_httpc_resp_release(resp);
        return web_redirect(req, "/login?next=/checkout");
    }
    json_t *d = web_page_data(req, v, "checkout_title");
    json_t *errors = json_object();
    if (rc == 0 && resp->status / 100 == 2) {
        const char *reason = json_string_value(json_object_get(order, "reason"));
        r = (struct refusal){.status = 409,
                             .alert = reason != NULL ? web_order_reason_text(req, v, reason)
                                                     : web_text(req, v, "checkout_failed")};
    } else {
        refusal_of(req, v, rc, resp, idem, errors, &r);
    }
    json_object_set_new(d, "alert", json_string(r.alert));
    json_object_set_new(d, "declined", json_boolean(rc == 0 && resp->status == 402));
    json_object_set_new(d, "errors", errors);
    int out = checkout_page(req, v, r.status, d, f, r.keep, r.problems);
    ag_httpc_resp_release(resp); /* after the page: the problems are the answer's */
    return out;
}

/* POST /checkout: _csrf, idem, address (a saved one's id, or "new" with recipient, phone,
 * postalCode, line1, line2), cardNumber */
int
web_checkout_submit(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    web_visit_begin(req, &v, 0);
    int rc = web_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    if (!v.signed_in) {
        return web_redirect(req, "/login?next=/checkout");
    }
    json_t *d = web_page_data(req, &v, "checkout_title");
    json_t *errors = json_object();
    const char *idem = ag_form_get(&f, "idem");
    json_t *address = address_of(req, &v, &f, errors);
    if (idem == NULL || ag_idem_key_valid(idem) < 0 || address == NULL) {
        json_object_set_new(d, "alert", json_string(web_text(req, &v, "error_form")));
        json_object_set_new(d, "errors", errors);
        json_decref(address);
        return checkout_page(req, &v, 400, d, &f, NULL, NULL);
    }
    json_decref(errors);
    json_decref(d);
    char *card = card_digits(req, &f);
    json_t *body = json_pack("{s:o,s:{s:s}}", "address", address, "payment", "cardNumber", card);
    rc = web_api_write(req, &v, "POST", "/api/orders", body, idem, &resp);
    json_decref(body);
    sodium_memzero(card, strlen(card));
    return checkout_answer(req, &v, &f, rc, &resp, idem);
}
