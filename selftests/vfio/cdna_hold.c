// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_hold: hold a context open the way a VMM does, without a guest.
 *
 *   cdna_hold UUID [--release-on-request] [--run]
 *
 * Opens the context's VFIO device (libcdna_vfio), installs the device
 * request eventfd, prints "held" and waits.  With --release-on-request it
 * closes the device and exits 0 when the kernel asks for the device back
 * (mdev removal: what QEMU does when it unplugs); otherwise it ignores
 * requests and holds until killed or until stdin reaches EOF.
 *
 * With --run it first brings the function up like a driver: features
 * VERSION_1 and LINK_IRQ, queues 0 (RX) and 1 (TX) enabled on rings in
 * DMA memory (so the context holds pins), DRIVER_OK.  It prints
 * "running" once the device runs.  Each request is reported on stdout as
 * "request link=L status=S cause=C" (the LINK, STATUS and ERROR_CAUSE
 * registers then), and stdin lines are commands: "regs" prints the same
 * line, "enable" resets the function (VFIO_DEVICE_RESET), negotiates the
 * features again, enables queue 0 and prints "enable=E" (ENABLE read
 * back).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cdna_vfio.h"

#define HOLD_IOVA	0x100000ULL
#define HOLD_DMA_SIZE	0x20000UL	/* 64 KiB of rings per queue */
#define HOLD_RING_SIZE	256
#define HOLD_FEATURES	((1ULL << CDNA_F_VERSION_1) | (1ULL << CDNA_F_LINK_IRQ))

/* Rings of queue @q: descriptors, completions, shared indexes. */
static int hold_queue(struct cdna_vfio *v, unsigned int q)
{
	uint64_t base = HOLD_IOVA + (uint64_t)q * 0x10000;

	return cdna_vfio_queue_setup(v, q, base, base + 0x8000, base + 0xf000,
				     HOLD_RING_SIZE);
}

/* Bring the function up with queues 0 and 1; 0 or a negative errno. */
static int hold_run(struct cdna_vfio *v, struct cdna_vfio_dma *dma)
{
	uint32_t st;
	int ret;

	ret = cdna_vfio_dma_alloc(v, dma, HOLD_IOVA, HOLD_DMA_SIZE);
	if (ret)
		return ret;
	ret = cdna_vfio_msix_enable(v);
	if (!ret)
		ret = cdna_vfio_negotiate(v, HOLD_FEATURES);
	if (ret)
		return ret;
	if (hold_queue(v, 0) != 1 || hold_queue(v, 1) != 1)
		return -EIO;
	st = cdna_vfio_rd32(v, CDNA_REG_STATUS);
	ret = cdna_vfio_reg_write(v, CDNA_REG_STATUS,
				  st | CDNA_STATUS_DRIVER_OK);
	if (ret)
		return ret;
	st = cdna_vfio_rd32(v, CDNA_REG_STATUS);
	return (st & CDNA_STATUS_DRIVER_OK) &&
	       !(st & CDNA_STATUS_NEEDS_RESET) ? 0 : -EIO;
}

static void hold_regs(struct cdna_vfio *v, const char *what)
{
	printf("%s link=%u status=0x%x cause=%u\n", what,
	       cdna_vfio_rd32(v, CDNA_REG_LINK),
	       cdna_vfio_rd32(v, CDNA_REG_STATUS),
	       cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
	fflush(stdout);
}

/* A command line from stdin (--run). */
static void hold_command(struct cdna_vfio *v, const char *cmd)
{
	if (!strncmp(cmd, "regs", 4)) {
		hold_regs(v, "regs");
	} else if (!strncmp(cmd, "enable", 6)) {
		cdna_vfio_reset(v);
		cdna_vfio_negotiate(v, HOLD_FEATURES);
		printf("enable=%d\n", hold_queue(v, 0));
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	struct cdna_vfio_dma dma = { 0 };
	bool release = false, run = false;
	char line[64];
	size_t len = 0;
	struct cdna_vfio v;
	struct pollfd pfd[2];
	uint64_t n;
	int i, ret;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--release-on-request"))
			release = true;
		else if (!strcmp(argv[i], "--run"))
			run = true;
		else
			argc = 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: cdna_hold UUID [--release-on-request] [--run]\n");
		return 2;
	}
	ret = cdna_vfio_open(&v, "", argv[1]);
	if (ret) {
		fprintf(stderr, "cdna_hold: opening %s: %s\n", argv[1],
			strerror(-ret));
		return 1;
	}
	ret = cdna_vfio_req_enable(&v);
	if (ret)
		fprintf(stderr, "cdna_hold: request eventfd: %s\n",
			strerror(-ret));
	printf("held\n");
	fflush(stdout);
	if (run) {
		ret = hold_run(&v, &dma);
		if (ret) {
			fprintf(stderr, "cdna_hold: bring-up failed: %s\n",
				strerror(-ret));
			hold_regs(&v, "failed");
		} else {
			printf("running\n");
			fflush(stdout);
		}
	}

	pfd[0] = (struct pollfd){ .fd = v.req_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	for (;;) {
		if (poll(pfd, 2, -1) < 0)
			break;
		if (pfd[1].revents) {
			char c;

			if (read(STDIN_FILENO, &c, 1) <= 0)
				break;
			if (c != '\n' && len < sizeof(line) - 1) {
				line[len++] = c;
			} else if (c == '\n') {
				line[len] = 0;
				hold_command(&v, line);
				len = 0;
			}
		}
		if (pfd[0].revents & POLLIN) {
			if (read(v.req_fd, &n, sizeof(n)) < 0)
				continue;
			fprintf(stderr, "cdna_hold: device request%s\n",
				release ? ": releasing" : " ignored");
			hold_regs(&v, "request");
			if (release)
				break;
		}
	}
	if (dma.vaddr)
		cdna_vfio_dma_free(&v, &dma);
	cdna_vfio_close(&v);
	return 0;
}
