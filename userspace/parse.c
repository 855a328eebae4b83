// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: keyword tables and value parsing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/cdna.h>

#include "cdnactl.h"

const char *const cdnactl_protect_names[2] = {
	[CDNA_PROTECT_MODE_CHECKED]	= "checked",
	[CDNA_PROTECT_MODE_IOMMU]	= "iommu",
};

const char *const cdnactl_strategy_names[2] = {
	[CDNA_STRATEGY_MODE_PERSISTENT]	= "persistent",
	[CDNA_STRATEGY_MODE_SINGLE_USE]	= "single-use",
};

const char *const cdnactl_link_names[3] = {
	[CDNA_LINK_MODE_AUTO]	= "auto",
	[CDNA_LINK_MODE_UP]	= "up",
	[CDNA_LINK_MODE_DOWN]	= "down",
};

bool cdnactl_matches(const char *arg, const char *full)
{
	size_t len = strlen(arg);

	return len && len <= strlen(full) && !strncmp(arg, full, len);
}

int cdnactl_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;

		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]))
			return -1;
		if (i < 5 && p[2] != ':')
			return -1;
		mac[i] = (uint8_t)strtoul((char[3]){ p[0], p[1], 0 }, NULL, 16);
	}
	return 0;
}

void cdnactl_format_mac(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

bool cdnactl_uuid_valid(const char *s)
{
	unsigned int i;

	if (strlen(s) != CDNACTL_UUID_LEN)
		return false;
	for (i = 0; i < CDNACTL_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

int cdnactl_parse_u32(const char *s, uint32_t max, uint32_t *val)
{
	unsigned long long v;
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (errno)
		return -EINVAL;
	*val = (uint32_t)v;
	return 0;
}

int cdnactl_parse_onoff(const char *s, bool *val)
{
	if (!strcmp(s, "on")) {
		*val = true;
		return 0;
	}
	if (!strcmp(s, "off")) {
		*val = false;
		return 0;
	}
	return -1;
}

int cdnactl_parse_enum(const char *s, const char *const *names,
		       unsigned int n, uint8_t *val)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*val = (uint8_t)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Limits cdnactl checks itself.  The kernel checks them again (its policy
 * in kmod/netlink.c has the same rate limit); queue pairs and max_ctx are
 * left to the kernel alone, whose message names the rule.
 */
#define CDNACTL_MAX_RATE	1000000		/* Mbit/s: 1 Tbit/s */
#define CDNACTL_MAX_TIMEOUT	86400		/* s: a day */

/* One keyword: its bit, what it takes, and how it is named when missing. */
struct cdnactl_kw {
	const char *kw;
	uint32_t opt;
	const char *what;	/* "X is not set" */
	const char *values;	/* expected value, for messages */
	uint32_t max;		/* numbers: the largest accepted */
};

static const struct cdnactl_kw cdnactl_kws[] = {
	{ "dev",	CDNACTL_OPT_DEV,	"Uplink device (dev)",	"an interface name", 0 },
	{ "nic",	CDNACTL_OPT_NIC,	"NIC (nic)",		"an interface name", 0 },
	{ "name",	CDNACTL_OPT_NAME,	"Context name",		"1-15 of [A-Za-z0-9._-]", 0 },
	{ "mac",	CDNACTL_OPT_MAC,	"MAC address (mac)",	"xx:xx:xx:xx:xx:xx", 0 },
	{ "queues",	CDNACTL_OPT_QUEUES,	"Queue pairs (queues)",	"1, 2, 4 or 8", UINT32_MAX },
	{ "protect",	CDNACTL_OPT_PROTECT,	"Protection (protect)",	"checked or iommu", 0 },
	{ "strategy",	CDNACTL_OPT_STRATEGY,	"Mapping strategy (strategy)",
	  "persistent or single-use", 0 },
	{ "vlan",	CDNACTL_OPT_VLAN,	"VLAN (vlan)",		"0..4094, 0 for none", 4094 },
	{ "trust",	CDNACTL_OPT_TRUST,	"Trust (trust)",	"on or off", 0 },
	{ "spoofchk",	CDNACTL_OPT_SPOOFCHK,	"Spoof check (spoofchk)", "on or off", 0 },
	{ "rate",	CDNACTL_OPT_RATE,	"TX rate (rate)",
	  "0..1000000 Mbit/s, 0 for unlimited", CDNACTL_MAX_RATE },
	{ "link",	CDNACTL_OPT_LINK,	"Link mode (link)",	"auto, up or down", 0 },
	{ "uuid",	CDNACTL_OPT_UUID,	"UUID (uuid)",		"a UUID", 0 },
	{ "force",	CDNACTL_OPT_FORCE,	"force",		NULL, 0 },
	{ "incoming",	CDNACTL_OPT_INCOMING,	"incoming",		NULL, 0 },
	{ "max_ctx",	CDNACTL_OPT_MAX_CTX,	"Context limit (max_ctx)", "1..64", UINT32_MAX },
	{ "timeout",	CDNACTL_OPT_TIMEOUT,	"Timeout (timeout)",
	  "0..86400 seconds, 0 for the default 30", CDNACTL_MAX_TIMEOUT },
};

#define CDNACTL_NKWS	(sizeof(cdnactl_kws) / sizeof(cdnactl_kws[0]))

static bool cdnactl_ifname_valid(const char *v)
{
	return *v && strlen(v) < CDNACTL_IFNAMSIZ;
}

/* A context NAME or its UUID (the positional form, "name" next to it). */
static int cdnactl_parse_key(const char *v, struct cdnactl_opts *o)
{
	if (cdnactl_uuid_valid(v)) {
		o->uuid = v;
		o->present |= CDNACTL_OPT_UUID;
		return 0;
	}
	if (!cdnactl_ifname_valid(v))
		return -1;
	o->name = v;
	return 0;
}

/* 0, -EINVAL (not a valid value) or -ERANGE (a number out of range). */
static int cdnactl_parse_value(const struct cdnactl_kw *k, const char *v,
			       uint32_t positional, struct cdnactl_opts *o)
{
	uint32_t u;
	int ret;

	if (k->max) {
		ret = cdnactl_parse_u32(v, k->max, &u);
		if (ret)
			return ret;
	}
	switch (k->opt) {
	case CDNACTL_OPT_DEV:
	case CDNACTL_OPT_NIC:
		if (!cdnactl_ifname_valid(v))
			return -EINVAL;
		if (k->opt == CDNACTL_OPT_DEV)
			o->dev = v;
		else
			o->nic = v;
		return 0;
	case CDNACTL_OPT_NAME:
		if (positional == CDNACTL_OPT_NAME)
			return cdnactl_parse_key(v, o) ? -EINVAL : 0;
		if (!cdnactl_ifname_valid(v))
			return -EINVAL;
		o->name = v;
		return 0;
	case CDNACTL_OPT_MAC:
		return cdnactl_parse_mac(v, o->mac) ? -EINVAL : 0;
	case CDNACTL_OPT_QUEUES:
		/* Range and power of two are the kernel's to judge. */
		o->queues = u;
		return 0;
	case CDNACTL_OPT_PROTECT:
		return cdnactl_parse_enum(v, cdnactl_protect_names, 2,
					  &o->protect) ? -EINVAL : 0;
	case CDNACTL_OPT_STRATEGY:
		return cdnactl_parse_enum(v, cdnactl_strategy_names, 2,
					  &o->strategy) ? -EINVAL : 0;
	case CDNACTL_OPT_VLAN:
		o->vlan = (uint16_t)u;
		return 0;
	case CDNACTL_OPT_TRUST:
		return cdnactl_parse_onoff(v, &o->trust) ? -EINVAL : 0;
	case CDNACTL_OPT_SPOOFCHK:
		return cdnactl_parse_onoff(v, &o->spoofchk) ? -EINVAL : 0;
	case CDNACTL_OPT_RATE:
		o->rate = u;
		return 0;
	case CDNACTL_OPT_LINK:
		return cdnactl_parse_enum(v, cdnactl_link_names, 3,
					  &o->link) ? -EINVAL : 0;
	case CDNACTL_OPT_UUID:
		if (!cdnactl_uuid_valid(v))
			return -EINVAL;
		o->uuid = v;
		return 0;
	case CDNACTL_OPT_MAX_CTX:
		o->max_ctx = u;
		return 0;
	case CDNACTL_OPT_TIMEOUT:
		o->timeout = u;
		return 0;
	}
	return -EINVAL;
}

static const struct cdnactl_kw *cdnactl_kw_find(const char *arg)
{
	unsigned int i;

	for (i = 0; i < CDNACTL_NKWS; i++)
		if (!strcmp(arg, cdnactl_kws[i].kw))
			return &cdnactl_kws[i];
	return NULL;
}

bool cdnactl_misplaced_option(const char *arg)
{
	static const char *const globals[] = { "json", "pretty", "Version",
					       "help" };
	const char *opt = arg + 1;
	unsigned int i;

	if (arg[0] != '-')
		return false;
	if (*opt == '-')
		opt++;
	for (i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
		if (cdnactl_matches(opt, globals[i])) {
			cdnactl_usage_err("\"%s\" is an option of cdnactl itself: "
					  "it goes before the object "
					  "(\"cdnactl %s OBJECT ...\")", arg, arg);
			return true;
		}
	}
	return false;
}

int cdnactl_parse_opts(int argc, char **argv, uint32_t required,
		       uint32_t optional, bool positional_name,
		       struct cdnactl_opts *o)
{
	return cdnactl_parse_opts_pos(argc, argv, required, optional,
				      positional_name ? CDNACTL_OPT_NAME : 0,
				      o);
}

int cdnactl_parse_opts_pos(int argc, char **argv, uint32_t required,
			   uint32_t optional, uint32_t positional,
			   struct cdnactl_opts *o)
{
	uint32_t allowed = required | optional | positional;
	unsigned int i;
	int ret;

	/*
	 * A leading word that is no keyword is the positional one: a
	 * keyword is never a NAME ("ctx show nic" is an error, not the
	 * context "nic"; "ctx show name nic" shows it).
	 */
	if (positional && argc > 0 && !cdnactl_kw_find(argv[0])) {
		if (cdnactl_misplaced_option(argv[0]))
			return -1;
		if (positional == CDNACTL_OPT_NAME ?
		    cdnactl_parse_key(argv[0], o) :
		    !cdnactl_ifname_valid(argv[0])) {
			cdnactl_usage_err("\"%s\" is not a valid %s", argv[0],
					  positional == CDNACTL_OPT_NAME ?
					  "context name (1-15 of [A-Za-z0-9._-]) or UUID" :
					  "interface name (1-15 characters)");
			return -1;
		}
		if (positional == CDNACTL_OPT_DEV)
			o->dev = argv[0];
		o->present |= positional;
		argc--;
		argv++;
	}

	while (argc > 0) {
		const struct cdnactl_kw *k = cdnactl_kw_find(argv[0]);

		if (!k || !(allowed & k->opt)) {
			if (!cdnactl_misplaced_option(argv[0]))
				cdnactl_usage_err("unknown option \"%s\"", argv[0]);
			return -1;
		}
		if (o->present & k->opt) {
			cdnactl_usage_err("option \"%s\" is given twice", argv[0]);
			return -1;
		}
		if (!k->values) {	/* a flag */
			o->present |= k->opt;
			argc--;
			argv++;
			continue;
		}
		if (argc < 2) {
			cdnactl_usage_err("option \"%s\" needs a value (%s)",
					  argv[0], k->values);
			return -1;
		}
		ret = cdnactl_parse_value(k, argv[1], positional, o);
		if (ret == -ERANGE) {
			cdnactl_usage_err("invalid %s \"%s\": out of range, expected %s",
					  k->kw, argv[1], k->values);
			return -1;
		}
		if (ret) {
			cdnactl_usage_err("invalid %s \"%s\": expected %s%s",
					  k->kw, argv[1], k->max ? "a number, " : "",
					  k->values);
			return -1;
		}
		o->present |= k->opt;
		argc -= 2;
		argv += 2;
	}

	for (i = 0; i < CDNACTL_NKWS; i++) {
		if ((required & cdnactl_kws[i].opt) &&
		    !(o->present & cdnactl_kws[i].opt)) {
			cdnactl_usage_err("%s is not set", cdnactl_kws[i].what);
			return -1;
		}
	}
	return 0;
}
