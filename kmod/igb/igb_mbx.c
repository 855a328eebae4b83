// SPDX-License-Identifier: GPL-2.0
/*
 * cdna igb backend: the mailbox between a VF and its PF driver.
 *
 * The mailbox is a 16-word buffer with a control register.  The VF takes
 * the buffer (VFU), writes the words and posts them (REQ); the PF driver
 * answers PFACK when it consumed them and, for a request that has an
 * answer, posts its reply (PFSTS), which the VF reads and acknowledges
 * (ACK).  Three status bits clear when the control register is read, so
 * every read keeps them in vf->mbx_bits until a test consumes them.
 *
 * The backend needs one exchange: after a VF reset, the "reset done"
 * message, which makes the PF driver enable the VF's queues in the NIC
 * and answer with the MAC address it assigned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/etherdevice.h>

#include "igb.h"

#define CDNA_IGB_MBX_TRIES	2000	/* polls of an answer ... */
#define CDNA_IGB_MBX_POLL_US	500	/* ... this far apart: 1 s */
#define CDNA_IGB_RST_TRIES	200	/* polls of the reset bits */

static u32 cdna_igb_mbx_read_ctl(struct cdna_igb_vf *vf)
{
	u32 v = cdna_igb_rd(vf, CDNA_IGB_V2PMAILBOX) | vf->mbx_bits;

	vf->mbx_bits |= v & CDNA_IGB_MBX_R2C;
	return v;
}

/* Test and consume status bits; true if any of @mask was set. */
static bool cdna_igb_mbx_test(struct cdna_igb_vf *vf, u32 mask)
{
	u32 v = cdna_igb_mbx_read_ctl(vf);

	vf->mbx_bits &= ~mask;
	return v & mask;
}

static int cdna_igb_mbx_lock(struct cdna_igb_vf *vf)
{
	unsigned int i;

	for (i = 0; i < 10; i++) {
		cdna_igb_wr(vf, CDNA_IGB_V2PMAILBOX, CDNA_IGB_MBX_VFU);
		if (cdna_igb_mbx_read_ctl(vf) & CDNA_IGB_MBX_VFU)
			return 0;
		usleep_range(1000, 2000);
	}
	return -EBUSY;
}

static int cdna_igb_mbx_poll(struct cdna_igb_vf *vf, u32 bit)
{
	unsigned int i;

	for (i = 0; i < CDNA_IGB_MBX_TRIES; i++) {
		if (cdna_igb_mbx_test(vf, bit))
			return 0;
		usleep_range(CDNA_IGB_MBX_POLL_US, 2 * CDNA_IGB_MBX_POLL_US);
	}
	return -ETIMEDOUT;
}

static int cdna_igb_mbx_send(struct cdna_igb_vf *vf, const u32 *msg,
			     unsigned int n)
{
	unsigned int i;
	int ret;

	ret = cdna_igb_mbx_lock(vf);
	if (ret)
		return ret;
	/* Stale acknowledgements and messages are overwritten. */
	cdna_igb_mbx_test(vf, CDNA_IGB_MBX_PFACK | CDNA_IGB_MBX_PFSTS);
	for (i = 0; i < n; i++)
		cdna_igb_wr(vf, CDNA_IGB_VMBMEM + 4 * i, msg[i]);
	cdna_igb_wr(vf, CDNA_IGB_V2PMAILBOX, CDNA_IGB_MBX_REQ);
	return cdna_igb_mbx_poll(vf, CDNA_IGB_MBX_PFACK);
}

static int cdna_igb_mbx_recv(struct cdna_igb_vf *vf, u32 *msg,
			     unsigned int n)
{
	unsigned int i;
	int ret;

	ret = cdna_igb_mbx_poll(vf, CDNA_IGB_MBX_PFSTS);
	if (ret)
		return ret;
	ret = cdna_igb_mbx_lock(vf);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		msg[i] = cdna_igb_rd(vf, CDNA_IGB_VMBMEM + 4 * i);
	cdna_igb_wr(vf, CDNA_IGB_V2PMAILBOX, CDNA_IGB_MBX_ACK);
	return 0;
}

/**
 * cdna_igb_mbx_reset() - reset a VF and have its PF enable it again
 * @vf: the VF (no queue of it may be running)
 * @mac: the MAC address the PF assigned, zero if none
 *
 * Sets CTRL.RST (the VF's queues and interrupt setup go back to their
 * power-on state), waits for the PF's reset indication to clear, then
 * tells the PF driver the reset is done; the PF re-enables the VF's
 * queues in the NIC and answers with the VF's MAC address.  Sleeps.
 *
 * Return: 0; -ETIMEDOUT if the PF did not answer; -EPROTO for an answer
 * that is not one to the reset; -EIO if the VF is gone (reads all ones).
 */
int cdna_igb_mbx_reset(struct cdna_igb_vf *vf, u8 *mac)
{
	u32 msg[3];
	unsigned int i;
	int ret;

	if (cdna_igb_rd(vf, CDNA_IGB_STATUS) == ~0U)
		return -EIO;
	cdna_igb_wr(vf, CDNA_IGB_CTRL,
		    cdna_igb_rd(vf, CDNA_IGB_CTRL) | CDNA_IGB_CTRL_RST);
	for (i = 0; i < CDNA_IGB_RST_TRIES; i++) {
		if (!cdna_igb_mbx_test(vf, CDNA_IGB_MBX_RSTI |
				       CDNA_IGB_MBX_RSTD))
			break;
		usleep_range(5, 10);
	}
	if (i == CDNA_IGB_RST_TRIES)
		return -ETIMEDOUT;

	msg[0] = CDNA_IGB_MSG_RESET;
	ret = cdna_igb_mbx_send(vf, msg, 1);
	if (ret)
		return ret;
	usleep_range(10000, 20000);
	ret = cdna_igb_mbx_recv(vf, msg, ARRAY_SIZE(msg));
	if (ret)
		return ret;
	if ((msg[0] & ~CDNA_IGB_MSG_ANSWER) != CDNA_IGB_MSG_RESET)
		return -EPROTO;
	if (msg[0] & CDNA_IGB_MSG_ACK)
		memcpy(mac, &msg[1], ETH_ALEN);
	else
		eth_zero_addr(mac);
	return 0;
}
