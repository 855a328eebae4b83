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
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
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

/* One keyword: its bit, what it takes, and how it is named when missing. */
struct cdnactl_kw {
	const char *kw;
	uint32_t opt;
	const char *what;	/* "X is not set" */
	const char *values;	/* expected value, for messages */
};

static const struct cdnactl_kw cdnactl_kws[] = {
	{ "dev",	CDNACTL_OPT_DEV,	"Uplink device (dev)",	"an interface name" },
	{ "nic",	CDNACTL_OPT_NIC,	"NIC (nic)",		"an interface name" },
	{ "name",	CDNACTL_OPT_NAME,	"Context name",		"1 to 15 characters" },
	{ "mac",	CDNACTL_OPT_MAC,	"MAC address (mac)",	"xx:xx:xx:xx:xx:xx" },
	{ "queues",	CDNACTL_OPT_QUEUES,	"Queue pairs (queues)",	"a number" },
	{ "protect",	CDNACTL_OPT_PROTECT,	"Protection (protect)",	"checked or iommu" },
	{ "vlan",	CDNACTL_OPT_VLAN,	"VLAN (vlan)",		"0..4094" },
	{ "trust",	CDNACTL_OPT_TRUST,	"Trust (trust)",	"on or off" },
	{ "spoofchk",	CDNACTL_OPT_SPOOFCHK,	"Spoof check (spoofchk)", "on or off" },
	{ "rate",	CDNACTL_OPT_RATE,	"TX rate (rate)",	"Mbit/s" },
	{ "link",	CDNACTL_OPT_LINK,	"Link mode (link)",	"auto, up or down" },
	{ "uuid",	CDNACTL_OPT_UUID,	"UUID (uuid)",		"a UUID" },
	{ "force",	CDNACTL_OPT_FORCE,	"force",		NULL },
	{ "max_ctx",	CDNACTL_OPT_MAX_CTX,	"Context limit (max_ctx)", "1..64" },
	{ "timeout",	CDNACTL_OPT_TIMEOUT,	"Timeout (timeout)",	"seconds" },
};

#define CDNACTL_NKWS	(sizeof(cdnactl_kws) / sizeof(cdnactl_kws[0]))

static int cdnactl_parse_value(const struct cdnactl_kw *k, const char *v,
			       struct cdnactl_opts *o)
{
	uint32_t u;

	switch (k->opt) {
	case CDNACTL_OPT_DEV:
	case CDNACTL_OPT_NIC:
	case CDNACTL_OPT_NAME:
		if (!*v || strlen(v) >= CDNACTL_IFNAMSIZ)
			return -1;
		if (k->opt == CDNACTL_OPT_DEV)
			o->dev = v;
		else if (k->opt == CDNACTL_OPT_NIC)
			o->nic = v;
		else
			o->name = v;
		return 0;
	case CDNACTL_OPT_MAC:
		return cdnactl_parse_mac(v, o->mac);
	case CDNACTL_OPT_QUEUES:
		/* Range and power of two are the kernel's to judge. */
		return cdnactl_parse_u32(v, UINT32_MAX, &o->queues);
	case CDNACTL_OPT_PROTECT:
		return cdnactl_parse_enum(v, cdnactl_protect_names, 2,
					  &o->protect);
	case CDNACTL_OPT_VLAN:
		if (cdnactl_parse_u32(v, 4094, &u))
			return -1;
		o->vlan = (uint16_t)u;
		return 0;
	case CDNACTL_OPT_TRUST:
		return cdnactl_parse_onoff(v, &o->trust);
	case CDNACTL_OPT_SPOOFCHK:
		return cdnactl_parse_onoff(v, &o->spoofchk);
	case CDNACTL_OPT_RATE:
		return cdnactl_parse_u32(v, UINT32_MAX, &o->rate);
	case CDNACTL_OPT_LINK:
		return cdnactl_parse_enum(v, cdnactl_link_names, 3, &o->link);
	case CDNACTL_OPT_UUID:
		if (!cdnactl_uuid_valid(v))
			return -1;
		o->uuid = v;
		return 0;
	case CDNACTL_OPT_MAX_CTX:
		return cdnactl_parse_u32(v, UINT32_MAX, &o->max_ctx);
	case CDNACTL_OPT_TIMEOUT:
		return cdnactl_parse_u32(v, 86400, &o->timeout);
	}
	return -1;
}

int cdnactl_parse_opts(int argc, char **argv, uint32_t required,
		       uint32_t optional, bool positional_name,
		       struct cdnactl_opts *o)
{
	uint32_t allowed = required | optional;
	unsigned int i;

	/* A keyword of the allowed set is not a NAME ("ctx show nic X"). */
	if (positional_name && argc > 1)
		for (i = 0; i < CDNACTL_NKWS; i++)
			if ((allowed & cdnactl_kws[i].opt) &&
			    cdnactl_kws[i].opt != CDNACTL_OPT_NAME &&
			    !strcmp(argv[0], cdnactl_kws[i].kw))
				positional_name = false;
	if (positional_name && argc > 0) {
		if (!*argv[0] || strlen(argv[0]) > CDNACTL_UUID_LEN) {
			cdnactl_err("\"%s\" is not a valid context name or UUID",
				    argv[0]);
			return -1;
		}
		if (cdnactl_uuid_valid(argv[0])) {
			o->uuid = argv[0];
			o->present |= CDNACTL_OPT_UUID;
		} else {
			o->name = argv[0];
		}
		o->present |= CDNACTL_OPT_NAME;
		argc--;
		argv++;
	}

	while (argc > 0) {
		const struct cdnactl_kw *k = NULL;

		for (i = 0; i < CDNACTL_NKWS; i++)
			if (!strcmp(argv[0], cdnactl_kws[i].kw))
				k = &cdnactl_kws[i];
		if (!k || !(allowed & k->opt) ||
		    (positional_name && k->opt == CDNACTL_OPT_NAME)) {
			cdnactl_err("unknown option \"%s\"", argv[0]);
			return -1;
		}
		if (o->present & k->opt) {
			cdnactl_err("option \"%s\" is given twice", argv[0]);
			return -1;
		}
		if (!k->values) {	/* a flag */
			o->present |= k->opt;
			argc--;
			argv++;
			continue;
		}
		if (argc < 2) {
			cdnactl_err("option \"%s\" needs a value (%s)", argv[0],
				    k->values);
			return -1;
		}
		if (cdnactl_parse_value(k, argv[1], o)) {
			cdnactl_err("invalid %s \"%s\": expected %s", k->kw,
				    argv[1], k->values);
			return -1;
		}
		o->present |= k->opt;
		argc -= 2;
		argv += 2;
	}

	for (i = 0; i < CDNACTL_NKWS; i++) {
		if ((required & cdnactl_kws[i].opt) &&
		    !(o->present & cdnactl_kws[i].opt)) {
			cdnactl_err("%s is not set", cdnactl_kws[i].what);
			return -1;
		}
	}
	return 0;
}
