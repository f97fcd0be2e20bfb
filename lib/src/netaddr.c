/* Trusted networks and the client address behind a proxy (agora/netaddr.h). */
#include "agora/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/http.h"

#define ADDR_TEXT_MAX 64

/* Reads an address into 'net' (family, addr); 'text' is one item without its prefix. */
static int
parse_addr(const char *text, struct ag_net *net)
{
    memset(net->addr, 0, sizeof(net->addr));
    if (inet_pton(AF_INET, text, net->addr) == 1) {
        net->family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, text, net->addr) == 1) {
        net->family = AF_INET6;
        /* ::ffff:a.b.c.d is the IPv4 address a.b.c.d. */
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(net->addr, mapped, sizeof(mapped)) == 0) {
            memmove(net->addr, net->addr + 12, 4);
            memset(net->addr + 4, 0, 12);
            net->family = AF_INET;
        }
        return 0;
    }
    return AG_EINVAL;
}

static int
parse_item(const char *item, struct ag_net *net, char *err, size_t errlen)
{
    char addr[ADDR_TEXT_MAX];
    const char *slash = strchr(item, '/');
    size_t alen = slash != NULL ? (size_t)(slash - item) : strlen(item);
    if (alen == 0 || alen >= sizeof(addr)) {
        snprintf(err, errlen, "'%s' is not an address or CIDR", item);
        return AG_EINVAL;
    }
    memcpy(addr, item, alen);
    addr[alen] = '\0';
    /* A mapped address may not carry an IPv6 prefix: the prefix would be read as IPv4's. */
    if (parse_addr(addr, net) < 0 ||
        (slash != NULL && net->family == AF_INET && strchr(addr, ':'))) {
        snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", addr);
        return AG_EINVAL;
    }
    int max = net->family == AF_INET ? 32 : 128;
    net->bits = max;
    if (slash != NULL) {
        char *end = NULL;
        long bits = slash[1] >= '0' && slash[1] <= '9' ? strtol(slash + 1, &end, 10) : -1;
        if (bits < 0 || bits > max || end == NULL || *end != '\0' || end - slash > 4) {
            snprintf(err, errlen, "'%s': prefix is outside 0..%d", item, max);
            return AG_EINVAL;
        }
        net->bits = (int)bits;
    }
    return 0;
}

int
ag_netlist_parse(const char *text, struct ag_netlist *out, char *err, size_t errlen)
{
    char item[ADDR_TEXT_MAX + 8];

    out->n = 0;
    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    char dummy[8];
    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (text == NULL || strcmp(text, "none") == 0) {
        return 0;
    }
    const char *p = text;
    for (;;) {
        while (*p == ' ') {
            p++;
        }
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ') {
            len--;
        }
        if (len == 0 || len >= sizeof(item)) {
            snprintf(err, errlen, "%s item in '%.80s'", len == 0 ? "an empty" : "a too long", text);
            return AG_EINVAL;
        }
        if (out->n == AG_NETLIST_MAX) {
            snprintf(err, errlen, "more than %d networks", AG_NETLIST_MAX);
            return AG_EINVAL;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if (parse_item(item, &out->nets[out->n], err, errlen) < 0) {
            return AG_EINVAL;
        }
        out->n++;
        if (end == NULL) {
            return 0;
        }
        p = end + 1;
    }
}

static int
net_has(const struct ag_net *net, const struct ag_net *a)
{
    if (net->family != a->family) {
        return 0;
    }
    int full = net->bits / 8;
    int rest = net->bits % 8;
    if (memcmp(net->addr, a->addr, (size_t)full) != 0) {
        return 0;
    }
    if (rest == 0) {
        return 1;
    }
    unsigned char mask = (unsigned char)(0xffu << (8 - rest));
    return (net->addr[full] & mask) == (a->addr[full] & mask);
}

int
ag_netlist_contains(const struct ag_netlist *list, const char *addr)
{
    struct ag_net a;
    if (list == NULL || addr == NULL || strlen(addr) >= ADDR_TEXT_MAX || parse_addr(addr, &a) < 0) {
        return 0;
    }
    for (size_t i = 0; i < list->n; i++) {
        if (net_has(&list->nets[i], &a)) {
            return 1;
        }
    }
    return 0;
}

const char *
ag_req_client_addr(struct ag_req *req, const struct ag_netlist *trusted)
{
    const char *peer = ag_req_peer(req);
    const char *real = ag_req_header(req, "X-Real-IP");
    struct ag_net a;
    if (real != NULL && strlen(real) < ADDR_TEXT_MAX && parse_addr(real, &a) == 0 &&
        ag_netlist_contains(trusted, peer)) {
        return real;
    }
    return peer;
}
