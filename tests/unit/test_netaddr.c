/*
 * ag_netlist: trusted networks, parsed and matched (the client address behind a proxy is
 * checked through the services in test_auth_gateway and test_web).
 */
#include <stdio.h>
#include <string.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/netaddr.h"

static int
contains(const char *list, const char *addr)
{
    struct ag_netlist l;
    char err[128];
    if (ag_netlist_parse(list, &l, err, sizeof(err)) != 0) {
        return -1;
    }
    return ag_netlist_contains(&l, addr);
}

TEST(ipv4_blocks_and_addresses)
{
    CHECK_EQ_INT(contains("127.0.0.0/8", "127.0.0.1"), 1);
    CHECK_EQ_INT(contains("127.0.0.0/8", "127.255.255.254"), 1);
    CHECK_EQ_INT(contains("127.0.0.0/8", "128.0.0.1"), 0);
    CHECK_EQ_INT(contains("10.0.0.0/8, 172.30.89.0/24", "172.30.89.7"), 1);
    CHECK_EQ_INT(contains("10.0.0.0/8,172.30.89.0/24", "172.30.90.7"), 0);
    /* A prefix that ends inside a byte. */
    CHECK_EQ_INT(contains("172.16.0.0/12", "172.31.255.1"), 1);
    CHECK_EQ_INT(contains("172.16.0.0/12", "172.32.0.1"), 0);
    CHECK_EQ_INT(contains("192.0.2.1", "192.0.2.1"), 1);
    CHECK_EQ_INT(contains("192.0.2.1", "192.0.2.2"), 0);
    CHECK_EQ_INT(contains("0.0.0.0/0", "203.0.113.9"), 1);
    /* Host bits in the network are ignored past the prefix. */
    CHECK_EQ_INT(contains("10.1.2.3/8", "10.200.0.1"), 1);
}

TEST(ipv6_and_mapped_ipv4)
{
    CHECK_EQ_INT(contains("::1", "::1"), 1);
    CHECK_EQ_INT(contains("fd00::/8", "fd12:3456::1"), 1);
    CHECK_EQ_INT(contains("fd00::/8", "fe80::1"), 0);
    CHECK_EQ_INT(contains("2001:db8::/33", "2001:db8:7fff::1"), 1);
    CHECK_EQ_INT(contains("2001:db8::/33", "2001:db8:8000::1"), 0);
    /* An IPv4 peer seen through an IPv6 socket is the IPv4 address. */
    CHECK_EQ_INT(contains("10.0.0.0/8", "::ffff:10.9.8.7"), 1);
    CHECK_EQ_INT(contains("::ffff:10.9.8.7", "10.9.8.7"), 1);
    /* The families never match each other. */
    CHECK_EQ_INT(contains("0.0.0.0/0", "2001:db8::1"), 0);
    CHECK_EQ_INT(contains("::/0", "10.0.0.1"), 0);
}

TEST(none_and_bad_addresses_match_nothing)
{
    CHECK_EQ_INT(contains("none", "127.0.0.1"), 0);
    CHECK_EQ_INT(contains("127.0.0.0/8", "-"), 0);
    CHECK_EQ_INT(contains("127.0.0.0/8", ""), 0);
    CHECK_EQ_INT(contains("127.0.0.0/8", "127.0.0.1 "), 0);
    CHECK_EQ_INT(contains("127.0.0.0/8", "127.1"), 0);
    CHECK_EQ_INT(ag_netlist_contains(NULL, "127.0.0.1"), 0);
}

TEST(bad_lists_are_refused_with_a_reason)
{
    static const char *bad[] = {
        "",
        ",",
        "10.0.0.0/8,",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/",
        "10.0.0.0/-1",
        "10.0.0.0/8x",
        "10.0.0.0/0008",
        "10.0.0.256",
        "host.example",
        "::ffff:10.0.0.0/104",
        "10.0.0.0/8 10.0.0.1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ag_netlist l;
        char err[128] = "";
        CHECK_EQ_INT(ag_netlist_parse(bad[i], &l, err, sizeof(err)), AG_EINVAL);
        CHECK(err[0] != '\0');
    }
    /* At most AG_NETLIST_MAX networks. */
    char many[AG_NETLIST_MAX * 16 + 16] = "";
    for (int i = 0; i <= AG_NETLIST_MAX; i++) {
        char one[16];
        snprintf(one, sizeof(one), "%s10.0.%d.0/24", i > 0 ? "," : "", i);
        strcat(many, one);
    }
    struct ag_netlist l;
    char err[128] = "";
    CHECK_EQ_INT(ag_netlist_parse(many, &l, err, sizeof(err)), AG_EINVAL);
    CHECK(strstr(err, "more than") != NULL);
    /* Exactly the most is fine. */
    *strrchr(many, ',') = '\0';
    CHECK_EQ_INT(ag_netlist_parse(many, &l, err, sizeof(err)), 0);
    CHECK_EQ_INT((int)l.n, AG_NETLIST_MAX);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(ipv4_blocks_and_addresses),
    TEST_ENTRY(ipv6_and_mapped_ipv4),
    TEST_ENTRY(none_and_bad_addresses_match_nothing),
    TEST_ENTRY(bad_lists_are_refused_with_a_reason),
};

int
main(int argc, char **argv)
{
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
