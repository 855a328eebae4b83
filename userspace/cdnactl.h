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
/* 0, -EINVAL (not a number) or -ERANGE (a number above @max). */
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
	CDNACTL_OPT_INCOMING	= 1u << 15,
	CDNACTL_OPT_STRATEGY	= 1u << 16,
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
	uint8_t strategy;
	uint16_t vlan;
	bool trust;
	bool spoofchk;
	uint32_t rate;
	uint8_t link;
	uint32_t max_ctx;
	uint32_t timeout;
};

extern const char *const cdnactl_protect_names[2];
extern const char *const cdnactl_strategy_names[2];
extern const char *const cdnactl_link_names[3];

/*
 * Parse "keyword value" pairs (and a leading positional NAME when
 * @positional_name) against the @required and @optional sets; prints the
 * error (quoting the offending token, or "X is not set") and returns -1.
 */
int cdnactl_parse_opts(int argc, char **argv, uint32_t required,
		       uint32_t optional, bool positional_name,
		       struct cdnactl_opts *o);
/*
 * The same, with the option a leading positional word stands for:
 * CDNACTL_OPT_NAME (a context NAME or UUID, "ctx del web1"),
 * CDNACTL_OPT_DEV ("nic show eth1") or 0 (none).  The keyword form
 * ("ctx del name web1", "nic show dev eth1") is accepted as well; a
 * keyword is never taken as a positional word.
 */
int cdnactl_parse_opts_pos(int argc, char **argv, uint32_t required,
			   uint32_t optional, uint32_t positional,
			   struct cdnactl_opts *o);
/*
 * Is @arg a global option (-j, -p, ...) given after the object?  Then
 * print a usage error saying where it goes and return true.
 */
bool cdnactl_misplaced_option(const char *arg);

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
/* The command failed: drop what it printed and print nothing more
 * until pr_finish() (no "[]" on stdout for an error).
 */
void pr_discard(void);
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
int cdnactl_monitor(int argc, char **argv);

/* sriov.c */
int cdnactl_sriov_prepare(const char *ifname, unsigned int nvfs);

/*
 * Exit statuses (cdnactl(8), EXIT STATUS), as ip(8) has them: a command
 * line cdnactl refuses exits 255 (ip's exit(-1)), an operation the kernel
 * (or an mdev sysfs step) refused or that failed exits 2, and 1 means
 * cdnactl could not reach cdna.ko at all.
 */
#define CDNACTL_EXIT_UNREACHABLE	1
#define CDNACTL_EXIT_FAILED		2
#define CDNACTL_EXIT_USAGE		255

/* Print an error on stderr ("Error: ..."); the exit status becomes 2. */
void cdnactl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a command line error; the exit status becomes 255. */
void cdnactl_usage_err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Record the exit status of the error being reported. */
void cdnactl_set_status(int status);
/* The exit status of a command that returned @ret (and forget it). */
int cdnactl_exit_status(int ret);

/* Print "cdnactl VERSION, cdna.ko VERSION" (-V). */
int cdnactl_print_version(void);

#endif /* _CDNACTL_H */
