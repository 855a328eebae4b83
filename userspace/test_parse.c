// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of cdnactl's parsing and printing (no kernel needed):
 * prefix matching, MAC/UUID/number/on-off parsing, the option parser's
 * required/optional sets and positional NAME, and the one printing path
 * in both its text and JSON forms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/cdna.h>

#include "cdnactl.h"

static int fails, checks;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		fails++;						\
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

static int parse_pos(uint32_t req, uint32_t opt, uint32_t pos,
		     struct cdnactl_opts *o, const char *line)
{
	char *argv[32], *copy = strdup(line), *tok, *save = NULL;
	int argc = 0;

	for (tok = strtok_r(copy, " ", &save); tok && argc < 32;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	memset(o, 0, sizeof(*o));
	return cdnactl_parse_opts_pos(argc, argv, req, opt, pos, o);
}

static int parse(uint32_t req, uint32_t opt, bool pos, struct cdnactl_opts *o,
		 const char *line)
{
	char *argv[32], *copy = strdup(line), *tok, *save = NULL;
	int argc = 0, ret;

	for (tok = strtok_r(copy, " ", &save); tok && argc < 32;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	memset(o, 0, sizeof(*o));
	ret = cdnactl_parse_opts(argc, argv, req, opt, pos, o);
	/* o's strings point into copy: keep it for the caller's checks */
	return ret;
}

static void test_matches(void)
{
	CHECK(cdnactl_matches("s", "show"));
	CHECK(cdnactl_matches("show", "show"));
	CHECK(!cdnactl_matches("shows", "show"));
	CHECK(!cdnactl_matches("", "show"));
	CHECK(cdnactl_matches("qemu", "qemu-args"));
}

static void test_values(void)
{
	uint8_t mac[6];
	uint32_t u;
	bool b;
	uint8_t e;

	CHECK(!cdnactl_parse_mac("52:54:00:12:34:0a", mac));
	CHECK(mac[0] == 0x52 && mac[5] == 0x0a);
	CHECK(!cdnactl_parse_mac("FF:ff:00:00:00:01", mac) && mac[0] == 0xff);
	CHECK(cdnactl_parse_mac("52:54:00:12:34", mac));
	CHECK(cdnactl_parse_mac("52:54:00:12:34:0g", mac));
	CHECK(cdnactl_parse_mac("52-54-00-12-34-0a", mac));
	CHECK(cdnactl_parse_mac("52:54:00:12:34:0a:", mac));

	CHECK(cdnactl_uuid_valid("0f0e0d0c-0b0a-4908-8706-050403020100"));
	CHECK(!cdnactl_uuid_valid("0f0e0d0c-0b0a-4908-8706-05040302010"));
	CHECK(!cdnactl_uuid_valid("0f0e0d0c0b0a-4908-8706-0504030201000"));
	CHECK(!cdnactl_uuid_valid("0f0e0d0c-0b0a-4908-8706-05040302010g"));
	CHECK(!cdnactl_uuid_valid("web1"));

	CHECK(!cdnactl_parse_u32("4094", 4094, &u) && u == 4094);
	/* out of range and not a number are told apart */
	CHECK(cdnactl_parse_u32("4095", 4094, &u) == -ERANGE);
	CHECK(cdnactl_parse_u32("-1", 4094, &u) == -EINVAL);
	CHECK(cdnactl_parse_u32("12x", 4094, &u) == -EINVAL);
	CHECK(cdnactl_parse_u32("", 4094, &u) == -EINVAL);
	CHECK(cdnactl_parse_u32("99999999999", UINT32_MAX, &u) == -ERANGE);
	CHECK(cdnactl_parse_u32("99999999999999999999999", UINT32_MAX, &u) ==
	      -ERANGE);

	CHECK(!cdnactl_parse_onoff("on", &b) && b);
	CHECK(!cdnactl_parse_onoff("off", &b) && !b);
	CHECK(cdnactl_parse_onoff("yes", &b));

	CHECK(!cdnactl_parse_enum("iommu", cdnactl_protect_names, 2, &e) &&
	      e == CDNA_PROTECT_MODE_IOMMU);
	CHECK(!cdnactl_parse_enum("down", cdnactl_link_names, 3, &e) &&
	      e == CDNA_LINK_MODE_DOWN);
	CHECK(cdnactl_parse_enum("sideways", cdnactl_link_names, 3, &e));
}

static void test_opts(void)
{
	const uint32_t add_opt = CDNACTL_OPT_MAC | CDNACTL_OPT_QUEUES |
				 CDNACTL_OPT_LINK | CDNACTL_OPT_UUID;
	const uint32_t add_req = CDNACTL_OPT_NIC | CDNACTL_OPT_NAME;
	struct cdnactl_opts o;

	CHECK(!parse(add_req, add_opt, false, &o,
		     "nic eth1 name web1 mac 52:54:00:00:00:01 queues 2 link down"));
	CHECK(!strcmp(o.nic, "eth1") && !strcmp(o.name, "web1"));
	CHECK(o.queues == 2 && o.link == CDNA_LINK_MODE_DOWN && o.mac[5] == 1);
	CHECK(o.present == (add_req | CDNACTL_OPT_MAC | CDNACTL_OPT_QUEUES |
			    CDNACTL_OPT_LINK));

	fprintf(stderr, "(expected errors follow)\n");
	CHECK(parse(add_req, add_opt, false, &o, "nic eth1"));		/* name */
	CHECK(parse(add_req, add_opt, false, &o, "name a"));		/* nic */
	CHECK(parse(add_req, add_opt, false, &o, "nic eth1 name a vlan 3"));
	CHECK(parse(add_req, add_opt, false, &o, "nic eth1 name a mac"));
	CHECK(parse(add_req, add_opt, false, &o, "nic eth1 nic eth2 name a"));
	CHECK(parse(add_req, add_opt, false, &o, "nic eth1 name a link sideways"));
	CHECK(parse(add_req, add_opt, false, &o,
		    "nic eth1 name a uuid 0f0e0d0c-0b0a-4908-8706-05040302010"));
	CHECK(parse(add_req, add_opt, false, &o,
		    "nic eth1 name abcdefghijklmnop"));	/* > 15 chars */

	/* positional NAME, or a UUID */
	CHECK(!parse(CDNACTL_OPT_NAME, CDNACTL_OPT_FORCE, true, &o, "web1 force"));
	CHECK(!strcmp(o.name, "web1") && (o.present & CDNACTL_OPT_FORCE));
	CHECK(!parse(CDNACTL_OPT_NAME, 0, true, &o,
		     "0f0e0d0c-0b0a-4908-8706-050403020100"));
	CHECK(o.uuid && (o.present & CDNACTL_OPT_UUID));
	/* "ctx show nic eth1": nic is a keyword, not a NAME */
	CHECK(!parse(0, CDNACTL_OPT_NIC, true, &o, "nic eth1"));
	CHECK(!o.name && !strcmp(o.nic, "eth1"));
	CHECK(!parse(0, CDNACTL_OPT_NIC, true, &o, "web1 nic eth1"));
	CHECK(!strcmp(o.name, "web1") && !strcmp(o.nic, "eth1"));
	CHECK(parse(CDNACTL_OPT_NAME, 0, true, &o, ""));	/* NAME missing */

	/* A keyword is never a NAME, even alone ("ctx show nic"). */
	CHECK(parse(0, CDNACTL_OPT_NIC, true, &o, "nic"));
	CHECK(parse(0, CDNACTL_OPT_NIC, true, &o, "force"));
	/* A global option after the object is an error, not a NAME. */
	CHECK(parse(0, CDNACTL_OPT_NIC, true, &o, "-j"));
	CHECK(parse(0, CDNACTL_OPT_NIC, true, &o, "web1 -json"));
	CHECK(parse(0, CDNACTL_OPT_NIC, true, &o, "--pretty"));
	/* The keyword form next to the positional one ("ctx del name web1"). */
	CHECK(!parse(CDNACTL_OPT_NAME, CDNACTL_OPT_FORCE, true, &o,
		     "name web1 force"));
	CHECK(o.name && !strcmp(o.name, "web1") &&
	      (o.present & CDNACTL_OPT_FORCE));
	CHECK(!parse(CDNACTL_OPT_NAME, 0, true, &o,
		     "name 0f0e0d0c-0b0a-4908-8706-050403020100"));
	CHECK(o.uuid && (o.present & CDNACTL_OPT_UUID));
	CHECK(!parse(0, CDNACTL_OPT_NIC, true, &o, "name nic"));	/* "nic" */
	CHECK(o.name && !strcmp(o.name, "nic") && !o.nic);
	CHECK(parse(CDNACTL_OPT_NAME, 0, true, &o, "web1 name web2"));
	CHECK(parse(CDNACTL_OPT_NAME, 0, true, &o, "abcdefghijklmnop"));
	/* "nic show eth1" and "nic show dev eth1" */
	CHECK(!parse_pos(0, 0, CDNACTL_OPT_DEV, &o, "eth1"));
	CHECK(o.dev && !strcmp(o.dev, "eth1") && (o.present & CDNACTL_OPT_DEV));
	CHECK(!parse_pos(0, 0, CDNACTL_OPT_DEV, &o, "dev eth1"));
	CHECK(o.dev && !strcmp(o.dev, "eth1"));
	CHECK(!parse_pos(CDNACTL_OPT_DEV, CDNACTL_OPT_FORCE | CDNACTL_OPT_TIMEOUT,
			 CDNACTL_OPT_DEV, &o, "eth1 force timeout 5"));
	CHECK(o.timeout == 5 && (o.present & CDNACTL_OPT_FORCE));
	CHECK(parse_pos(CDNACTL_OPT_DEV, 0, CDNACTL_OPT_DEV, &o, "eth1 dev eth2"));
	CHECK(parse_pos(CDNACTL_OPT_DEV, 0, CDNACTL_OPT_DEV, &o,
			"abcdefghijklmnop"));
	/* ranges */
	CHECK(parse_pos(CDNACTL_OPT_DEV, CDNACTL_OPT_TIMEOUT, CDNACTL_OPT_DEV, &o,
			"eth1 timeout 86401"));
	CHECK(!parse_pos(CDNACTL_OPT_DEV, CDNACTL_OPT_TIMEOUT, CDNACTL_OPT_DEV,
			 &o, "eth1 timeout 86400") && o.timeout == 86400);
	CHECK(parse(CDNACTL_OPT_NAME, CDNACTL_OPT_RATE, true, &o,
		    "web1 rate 1000001"));
	CHECK(!parse(CDNACTL_OPT_NAME, CDNACTL_OPT_RATE, true, &o,
		     "web1 rate 1000000") && o.rate == 1000000);
	fprintf(stderr, "(end of expected errors)\n");
}

static char *print_sample(bool json, bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	pr_init(json, pretty, f);
	pr_open_array(NULL);
	pr_open_object(NULL);
	pr_string("name", "%s:", "we\"b1");
	pr_u64("queues", " queues %llu", 2);
	pr_bool("trust", " trust %s", true);
	pr_u64("hidden", NULL, 7);
	pr_open_array("queues");
	pr_open_object(NULL);
	pr_u64("queue", " q %llu", 0);
	pr_close_object();
	pr_close_array();
	pr_close_object();
	pr_newline();
	pr_close_array();
	pr_finish();
	fclose(f);
	return buf;
}

static void test_print(void)
{
	char *s;

	s = print_sample(true, false);
	CHECK(!strcmp(s, "[{\"name\":\"we\\\"b1\",\"queues\":2,\"trust\":true,"
			 "\"hidden\":7,\"queues\":[{\"queue\":0}]}]\n"));
	free(s);
	s = print_sample(false, false);
	CHECK(!strcmp(s, "we\"b1: queues 2 trust on q 0\n"));
	free(s);
	s = print_sample(true, true);
	CHECK(strstr(s, "\n    {\n        \"name\": \"we\\\"b1\",") != NULL);
	free(s);
	s = print_sample(false, true);	/* -p alone changes no text */
	CHECK(!strcmp(s, "we\"b1: queues 2 trust on q 0\n"));
	free(s);
}

int main(void)
{
	test_matches();
	test_values();
	test_opts();
	test_print();
	printf("test_parse: %d checks, %d failed\n", checks, fails);
	return fails != 0;
}
