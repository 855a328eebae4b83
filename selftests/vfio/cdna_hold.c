// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_hold: hold a context open the way a VMM does, without a guest.
 *
 *   cdna_hold UUID [--release-on-request]
 *
 * Opens the context's VFIO device (libcdna_vfio), installs the device
 * request eventfd, prints "held" and waits.  With --release-on-request it
 * closes the device and exits 0 when the kernel asks for the device back
 * (mdev removal: what QEMU does when it unplugs); otherwise it ignores
 * requests and holds until killed or until stdin reaches EOF.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cdna_vfio.h"

int main(int argc, char **argv)
{
	bool release = argc > 2 && !strcmp(argv[2], "--release-on-request");
	struct cdna_vfio v;
	struct pollfd pfd[2];
	uint64_t n;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: cdna_hold UUID [--release-on-request]\n");
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

	pfd[0] = (struct pollfd){ .fd = v.req_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	for (;;) {
		if (poll(pfd, 2, -1) < 0)
			break;
		if (pfd[1].revents) {
			char c;

			if (read(STDIN_FILENO, &c, 1) <= 0)
				break;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(v.req_fd, &n, sizeof(n)) < 0)
				continue;
			fprintf(stderr, "cdna_hold: device request%s\n",
				release ? ": releasing" : " ignored");
			if (release)
				break;
		}
	}
	cdna_vfio_close(&v);
	return 0;
}
