/*
 * Lists of trusted networks (addresses and CIDR blocks, IPv4 and IPv6) and the client address
 * a request names through one: a proxy in the list (the gateway, the web BFF, an ingress
 * controller) passes the client's address in X-Real-IP; anyone else is taken at its own.
 * Containers and Kubernetes put those proxies on other hosts, so the loopback alone no longer
 * says who is a proxy.
 */
#ifndef AGORA_NETADDR_H
#define AGORA_NETADDR_H

#include <stddef.h>

#define AG_NETLIST_MAX 16

struct ag_net {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network byte order; 4 bytes used for AF_INET */
    int bits;               /* prefix length */
};

struct ag_netlist {
    size_t n;
    struct ag_net nets[AG_NETLIST_MAX];
};

/*
 * Parses "none" or a comma-separated list of addresses and CIDRs ("127.0.0.0/8,10.0.0.0/8,
 * ::1"), spaces allowed around items, into 'out'. Returns 0, or AG_EINVAL with a message like
 * "'10.0.0.0/33': prefix is outside 0..32" in 'err'.
 */
int ag_netlist_parse(const char *text, struct ag_netlist *out, char *err, size_t errlen);

/* 1 when 'addr' (text, IPv4 or IPv6; an IPv4-mapped IPv6 counts as IPv4) is in the list. */
int ag_netlist_contains(const struct ag_netlist *list, const char *addr);

struct ag_req;

/*
 * The client's address: the X-Real-IP header when the peer is in 'trusted' and the header is
 * one well-formed address, else the peer. Borrowed from the request.
 */
const char *ag_req_client_addr(struct ag_req *req, const struct ag_netlist *trusted);

#endif
