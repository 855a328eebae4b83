/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdnactl: shared declarations.
 *
 *   cdnactl.c  main, global options, object dispatch, usage
 *   parse.c    keyword tables and value parsing (MAC, UUID, numbers)
 *   nl.c       generic netlink over libmnl: requests, dumps, extack
 *   print.c    the one printing path: text or JSON (-j, -p)
 *   nic.c      the "nic" object
 *   ctx.c      the "ctx" object (and the mdev sysfs steps)
 *   monitor.c  the "monitor" object: the kernel's events
 */
#ifndef _CDNACTL_H
#define _CDNACTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/netlink.h>

#define CDNACTL_UUID_LEN	36
#define CDNACTL_IFNAMSIZ	16

/* ---- parse.c ---- */

/* Does @arg abbreviate @full ("s" matches "show")? */
bool cdnactl_matches(const char *arg, const char *full);

int cdnactl_parse_mac(const char *s, uint8_t mac[6]);
bool cdnactl_uuid_valid(const char *s);
int cdnactl_parse_u32(const char *s, uint32_t max, uint32_t *val);
int cdnactl_parse_onoff(const char *s, bool *val);
int cdnactl_parse_enum(const char *s, const char *const *names,
		       unsigned int n, uint8_t *val);
void cdnactl_format_mac(const uint8_t mac[6], char buf[18]);

/* Options of the commands: one bit per keyword. */
enum {
	CDNACTL_OPT_DEV		= 1u << 0,	/* dev IFNAME */
	CDNACTL_OPT_NIC		= 1u << 1,	/* nic IFNAME */
	CDNACTL_OPT_NAME	= 1u << 2,	/* name NAME, or NAME first */
	CDNACTL_OPT_MAC		= 1u << 3,
	CDNACTL_OPT_QUEUES	= 1u << 4,
	CDNACTL_OPT_PROTECT	= 1u << 5,
	CDNACTL_OPT_VLAN	= 1u << 6,
	CDNACTL_OPT_TRUST	= 1u << 7,
	CDNACTL_OPT_SPOOFCHK	= 1u << 8,
	CDNACTL_OPT_RATE	= 1u << 9,
	CDNACTL_OPT_LINK	= 1u << 10,
	CDNACTL_OPT_UUID	= 1u << 11,
	CDNACTL_OPT_FORCE	= 1u << 12,
	CDNACTL_OPT_MAX_CTX	= 1u << 13,
	CDNACTL_OPT_TIMEOUT	= 1u << 14,
};

struct cdnactl_opts {
	uint32_t present;
	const char *dev;
	const char *nic;
	const char *name;
	const char *uuid;
	uint8_t mac[6];
	uint32_t queues;
	uint8_t protect;
	uint16_t vlan;
	bool trust;
	bool spoofchk;
	uint32_t rate;
	uint8_t link;
	uint32_t max_ctx;
	uint32_t timeout;
};

extern const char *const cdnactl_protect_names[2];
extern const char *const cdnactl_link_names[3];

/*
 * Parse "keyword value" pairs (and a leading positional NAME when
 * @positional_name) against the @required and @optional sets; prints the
 * error (quoting the offending token, or "X is not set") and returns -1.
 */
int cdnactl_parse_opts(int argc, char **argv, uint32_t required,
		       uint32_t optional, bool positional_name,
		       struct cdnactl_opts *o);

/* ---- print.c ---- */
void pr_init(bool json, bool pretty, FILE *f);
void pr_open_array(const char *key);
void pr_close_array(void);
void pr_open_object(const char *key);
void pr_close_object(void);
/* Text: @fmt with the value (NULL @fmt: not shown in text); JSON: key. */
void pr_string(const char *key, const char *fmt, const char *val);
void pr_u64(const char *key, const char *fmt, uint64_t val);
void pr_bool(const char *key, const char *fmt, bool val);
void pr_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_newline(void);
void pr_finish(void);
bool pr_is_json(void);
/* JSON string escaping, exposed for the unit tests. */
void pr_json_escape(FILE *f, const char *s);

/* ---- nl.c ---- */
struct nlattr;
int nl_open(void);
void nl_close(void);
struct nlmsghdr *nl_request(uint8_t cmd, uint16_t flags);
/* Send @nlh, feed the replies to @cb; print a kernel error (nl_talk). */
int nl_talk(struct nlmsghdr *nlh,
	    int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);
int nl_talk_quiet(struct nlmsghdr *nlh,
		  int (*cb)(const struct nlmsghdr *nlh, void *data),
		  void *data);
/* Parse a cdna reply's attributes into @tb (CDNA_ATTR_MAX + 1 entries). */
int nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb);
int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    unsigned int max);
void nl_put_name_or_uuid(struct nlmsghdr *nlh, const char *key);
/* Join the "events" group and feed every event to @cb, until an error. */
int nl_monitor(int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);

/* ---- objects ---- */
int cdnactl_nic(int argc, char **argv);
int cdnactl_ctx(int argc, char **argv);
int cdnactl_ctx_del_all(const char *nic, unsigned int timeout);
int cdnactl_monitor(int argc, char **argv);

/* Print an error on stderr ("Error: ..."). */
void cdnactl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* _CDNACTL_H */
