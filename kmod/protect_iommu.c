// SPDX-License-Identifier: GPL-2.0
/*
 * cdna guest DMA protection, "iommu" flavour: a per-context IOMMU domain.
 *
 * For a backend whose device does the DMA itself (the igb backend: one VF
 * per context, in an IOMMU group of its own), the device that serves a
 * context is attached, while a VM holds the context, to an unmanaged
 * IOMMU domain that only this protection fills.  Guest addresses go to
 * the device as they are: IOVA = guest physical address.  A guest page
 * is pinned through vfio_pin_pages(), exactly as the checked flavour
 * does, and iommu_map()ped the first time a descriptor names it; a page
 * that cannot be pinned (not memory the VM mapped for DMA) is not
 * mapped, and the descriptor still goes to the device: its DMA there is
 * stopped by the IOMMU.  Such a page is reported to the engine as a NULL
 * pin, so that the engine completes the descriptor as an error and
 * counts it (ctx->iommu_faults); Intel's driver only logs DMA remapping
 * faults and calls no domain fault handler, and the handler registered
 * here counts what a driver does report.
 *
 * Strategies (Willmann, Rixner and Cox, ATC 2008):
 *  - persistent: a mapped page stays mapped (and pinned) until the VM
 *    unmaps it (.dma_unmap), the context resets or closes;
 *  - single-use: a page is unmapped (iommu_unmap(), which flushes the
 *    IOTLB) and unpinned when the last descriptor using it completes.
 *
 * While the device is attached here, the DMA API's mappings of it land in
 * its (detached) default domain and are of no use, so whatever host
 * memory the device must reach (its hardware rings, the sink page) is
 * allocated through .host_alloc and mapped into this domain, in a window
 * at the top of the domain's aperture; a guest address in that window is
 * refused (-EFAULT), rings included.
 *
 * Everything but the fault counter is protected by the context's engine
 * exclusion, which every caller of the ops holds (or, .dma_unmap and
 * .close, takes); the counters the debugfs and netlink readers see are
 * read with READ_ONCE.
 *
 * Like the checked flavour, a range the VM unmapped is remembered as
 * revoked until type1 has removed it (protect.c says why): no page is
 * pinned there, so a descriptor in it faults.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "cdna.h"

#define CDNA_IOMMU_SLOT_SIZE	SZ_2M	/* one host area at most */
#define CDNA_IOMMU_SLOTS	32	/* host areas per context */
#define CDNA_IOMMU_WIN_SIZE	((u64)CDNA_IOMMU_SLOT_SIZE * CDNA_IOMMU_SLOTS)
#define CDNA_IOMMU_REVOKED	16

/*
 * Where the next host area goes in the window: the slots rotate over
 * every context's domain, so that an IOVA that just held a ring or a sink
 * page is not given a new page at once.  If an IOTLB entry of the old
 * mapping were ever left behind (its invalidation missed by the IOMMU or
 * its emulation), the device then faults on it instead of reaching the
 * freed page.
 */
static atomic_t cdna_iommu_slot_hint = ATOMIC_INIT(0);

/*
 * Module-wide, for debugfs (cdna_iommu_totals()): the contexts' domains
 * not freed yet, and the guest pages mapped in them.
 */
static atomic_t cdna_iommu_nr_domains = ATOMIC_INIT(0);
static atomic_long_t cdna_iommu_nr_guest_pages = ATOMIC_LONG_INIT(0);

/**
 * struct cdna_iommu - per-context state of the iommu protection
 * @ctx: the context
 * @dev: the device attached to @domain, NULL when none is
 * @domain: the context's domain while @dev is attached
 * @win_first: first IOVA of the host window
 * @win_last: last IOVA of the host window
 * @slots: host window slots in use
 * @pins: mapped guest pages by gfn (struct cdna_pin; ->users counts the
 *	descriptors the device holds)
 * @nr_mapped: entries in @pins
 * @ring_pages: pages pinned for rings and shared areas (CPU access)
 * @single_use: CDNA_STRATEGY_MODE_SINGLE_USE
 * @hits: lookups that found the page mapped
 * @maps: pages pinned and mapped
 * @unmaps: pages unmapped and unpinned
 * @nrevoked: entries in @revoked
 * @revoked: ranges the VM unmapped, [first, last] pairs
 * @revoked_merged: @revoked holds a hull of several ranges: it is only
 *	forgotten at close
 */
struct cdna_iommu {
	struct cdna_ctx *ctx;
	struct device *dev;
	struct iommu_domain *domain;
	u64 win_first;
	u64 win_last;
	DECLARE_BITMAP(slots, CDNA_IOMMU_SLOTS);
	struct xarray pins;
	unsigned long nr_mapped;
	atomic_t ring_pages;
	bool single_use;
	u64 hits;
	u64 maps;
	u64 unmaps;
	unsigned int nrevoked;
	u64 revoked[CDNA_IOMMU_REVOKED][2];
	bool revoked_merged;
};

static struct cdna_iommu *cdna_iommu(struct cdna_ctx *ctx)
{
	return ctx->protect_priv;
}

static bool cdna_iommu_in_window(struct cdna_iommu *io, u64 first, u64 last)
{
	return io->domain && first <= io->win_last && last >= io->win_first;
}

static bool cdna_iommu_revoked(struct cdna_iommu *io, u64 gfn)
{
	u64 iova = gfn << PAGE_SHIFT;
	unsigned int i;

	for (i = 0; i < io->nrevoked; i++)
		if (iova + PAGE_SIZE - 1 >= io->revoked[i][0] &&
		    iova <= io->revoked[i][1])
			return true;
	return false;
}

static void cdna_iommu_revoke(struct cdna_iommu *io, u64 first, u64 last)
{
	unsigned int i;

	for (i = 0; i < io->nrevoked; i++)
		if (io->revoked[i][0] == first && io->revoked[i][1] == last)
			return;
	if (io->nrevoked < CDNA_IOMMU_REVOKED) {
		io->revoked[io->nrevoked][0] = first;
		io->revoked[io->nrevoked++][1] = last;
		return;
	}
	/* Full: widen the last entry (costs faults, never safety). */
	i = CDNA_IOMMU_REVOKED - 1;
	io->revoked[i][0] = min(io->revoked[i][0], first);
	io->revoked[i][1] = max(io->revoked[i][1], last);
	io->revoked_merged = true;
}

/* Forgets the revoked ranges type1 no longer maps (one byte read fails). */
static void cdna_iommu_revoked_prune(struct cdna_iommu *io)
{
	unsigned int i = 0;
	u8 byte;

	if (io->revoked_merged)
		return;
	while (i < io->nrevoked) {
		if (vfio_dma_rw(&io->ctx->vdev, io->revoked[i][0], &byte, 1,
				false) == -EINVAL) {
			io->nrevoked--;
			io->revoked[i][0] = io->revoked[io->nrevoked][0];
			io->revoked[i][1] = io->revoked[io->nrevoked][1];
		} else {
			i++;
		}
	}
}

/* Unmaps and unpins one guest page; it leaves @io->pins. */
static void cdna_iommu_release(struct cdna_iommu *io, struct cdna_pin *pin)
{
	u64 iova = pin->gfn << PAGE_SHIFT;

	xa_erase(&io->pins, pin->gfn);
	if (io->domain &&
	    iommu_unmap(io->domain, iova, PAGE_SIZE) != PAGE_SIZE)
		dev_err_ratelimited(mdev_dev(io->ctx->mdev),
				    "iommu_unmap of 0x%llx failed\n", iova);
	vfio_unpin_pages(&io->ctx->vdev, iova, 1);
	cdna_pins_total_add(-1);
	atomic_long_dec(&cdna_iommu_nr_guest_pages);
	WRITE_ONCE(io->nr_mapped, io->nr_mapped - 1);
	WRITE_ONCE(io->unmaps, io->unmaps + 1);
	kfree(pin);
}

/* Unmaps every guest page of [first, last] (gfns), in use or not. */
static void cdna_iommu_invalidate(struct cdna_iommu *io, u64 first, u64 last)
{
	struct cdna_pin *pin;
	unsigned long gfn;

	xa_for_each_range(&io->pins, gfn, pin, first, last)
		cdna_iommu_release(io, pin);
}

/*
 * The mapped page at @gfn with a user taken, or NULL if it is not memory
 * the VM mapped for DMA with the access needed (*@err = 0: the device's
 * access faults) or host resources ran out (*@err < 0).
 */
static struct cdna_pin *cdna_iommu_get_page(struct cdna_iommu *io, u64 gfn,
					    bool write, int *err)
{
	struct vfio_device *vdev = &io->ctx->vdev;
	u64 iova = gfn << PAGE_SHIFT;
	struct cdna_pin *pin;
	struct page *page;
	bool writable = true;
	int ret, prot;

	*err = 0;
	pin = xa_load(&io->pins, gfn);
	if (pin) {
		if (write && !pin->writable)
			return NULL;	/* mapped read-only: a write faults */
		pin->users++;
		WRITE_ONCE(io->hits, io->hits + 1);
		return pin;
	}
	if (cdna_iommu_revoked(io, gfn))
		return NULL;

	ret = vfio_pin_pages(vdev, iova, 1, IOMMU_READ | IOMMU_WRITE, &page);
	if (ret == -EPERM && !write) {
		writable = false;
		ret = vfio_pin_pages(vdev, iova, 1, IOMMU_READ, &page);
	}
	if (ret != 1) {
		if (ret < 0 && ret != -EINVAL && ret != -EPERM &&
		    ret != -EFAULT)
			*err = -ENOSPC;
		return NULL;
	}
	pin = kzalloc(sizeof(*pin), GFP_KERNEL);
	if (!pin) {
		*err = -ENOMEM;
		goto err_unpin;
	}
	prot = IOMMU_READ | IOMMU_CACHE | (writable ? IOMMU_WRITE : 0);
	ret = cdna_iommu_map(io->domain, iova, page_to_phys(page), PAGE_SIZE,
			     prot);
	if (ret) {
		*err = ret == -ENOMEM ? -ENOMEM : -ENOSPC;
		goto err_free;
	}
	pin->gfn = gfn;
	pin->page = page;
	pin->writable = writable;
	pin->users = 1;
	ret = xa_err(xa_store(&io->pins, gfn, pin, GFP_KERNEL));
	if (ret) {
		*err = -ENOMEM;
		goto err_unmap;
	}
	cdna_pins_total_add(1);
	atomic_long_inc(&cdna_iommu_nr_guest_pages);
	WRITE_ONCE(io->nr_mapped, io->nr_mapped + 1);
	WRITE_ONCE(io->maps, io->maps + 1);
	return pin;

err_unmap:
	iommu_unmap(io->domain, iova, PAGE_SIZE);
err_free:
	kfree(pin);
err_unpin:
	vfio_unpin_pages(vdev, iova, 1);
	return NULL;
}

static int cdna_iommu_fault(struct iommu_domain *domain, struct device *dev,
			    unsigned long iova, int flags, void *token)
{
	struct cdna_iommu *io = token;

	atomic64_inc(&io->ctx->iommu_faults);
	dev_notice_ratelimited(dev, "IOMMU stopped a %s of 0x%lx\n",
			       flags & IOMMU_FAULT_WRITE ? "write" : "read",
			       iova);
	/* Reported here: the IOMMU driver only clears it. */
	return 0;
}

static int cdna_iommu_open(struct cdna_ctx *ctx)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	if (io)
		return 0;
	io = kzalloc(sizeof(*io), GFP_KERNEL);
	if (!io)
		return -ENOMEM;
	io->ctx = ctx;
	xa_init(&io->pins);
	atomic_set(&io->ring_pages, 0);
	io->single_use = ctx->strategy == CDNA_STRATEGY_MODE_SINGLE_USE;
	ctx->protect_priv = io;
	return 0;
}

/* Detaches @io->dev from the domain (back to its default one), frees it. */
static void cdna_iommu_domain_free(struct cdna_iommu *io)
{
	if (!io->domain)
		return;
	cdna_iommu_invalidate(io, 0, ULONG_MAX);
	iommu_detach_device(io->domain, io->dev);
	iommu_domain_free(io->domain);
	atomic_dec(&cdna_iommu_nr_domains);
	WRITE_ONCE(io->domain, NULL);
	io->dev = NULL;
}

static void cdna_iommu_close(struct cdna_ctx *ctx)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	if (!io)
		return;
	cdna_eng_lock(ctx);
	cdna_eng_release_locked(ctx);
	/*
	 * Normally the engine detached its device already; if not (a forced
	 * delete), the device is quiesced and goes back to its default
	 * domain here, with the host areas still in this one.
	 */
	cdna_iommu_domain_free(io);
	ctx->protect_priv = NULL;
	cdna_eng_unlock(ctx);
	xa_destroy(&io->pins);
	kfree(io);
}

static int cdna_iommu_dev_attach(struct cdna_ctx *ctx, struct device *dev)
{
	struct cdna_iommu *io = cdna_iommu(ctx);
	struct iommu_domain *domain;
	u64 last;
	int ret;

	if (!io)
		return -ENODEV;
	if (io->domain)
		return io->dev == dev ? 0 : -EBUSY;
	domain = cdna_iommu_paging_domain_alloc(dev);
	if (IS_ERR(domain)) {
		dev_err(dev, "no IOMMU domain for the context: %ld\n",
			PTR_ERR(domain));
		return PTR_ERR(domain);
	}
	iommu_set_fault_handler(domain, cdna_iommu_fault, io);
	ret = iommu_attach_device(domain, dev);
	if (ret) {
		dev_err(dev, "attaching the context's IOMMU domain failed: %d\n",
			ret);
		goto err_free;
	}
	/* The aperture is the device's IOMMU's once attached. */
	last = domain->geometry.aperture_end;
	if (last < 2 * CDNA_IOMMU_WIN_SIZE ||
	    last - CDNA_IOMMU_WIN_SIZE + 1 < domain->geometry.aperture_start) {
		dev_err(dev, "IOMMU aperture too small for the host window\n");
		ret = -ERANGE;
		goto err_detach;
	}
	io->win_last = last;
	io->win_first = last - CDNA_IOMMU_WIN_SIZE + 1;
	bitmap_zero(io->slots, CDNA_IOMMU_SLOTS);
	io->dev = dev;
	WRITE_ONCE(io->domain, domain);
	atomic_inc(&cdna_iommu_nr_domains);
	dev_dbg(dev, "attached to context %s's IOMMU domain (%s)\n",
		dev_name(mdev_dev(ctx->mdev)),
		io->single_use ? "single-use" : "persistent");
	return 0;

err_detach:
	iommu_detach_device(domain, dev);
err_free:
	iommu_domain_free(domain);
	return ret;
}

static void cdna_iommu_dev_detach(struct cdna_ctx *ctx, struct device *dev)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	if (!io || io->dev != dev)
		return;
	cdna_iommu_domain_free(io);
}

static int cdna_iommu_host_alloc(struct cdna_ctx *ctx, struct device *dev,
				 size_t size, void **cpu, dma_addr_t *dma)
{
	struct cdna_iommu *io = cdna_iommu(ctx);
	unsigned int slot;
	u64 iova;
	int ret;

	if (!io || !io->domain || io->dev != dev)
		return -ENODEV;
	if (!size || size > CDNA_IOMMU_SLOT_SIZE)
		return -E2BIG;
	slot = (unsigned int)atomic_inc_return(&cdna_iommu_slot_hint) %
	       CDNA_IOMMU_SLOTS;
	slot = find_next_zero_bit(io->slots, CDNA_IOMMU_SLOTS, slot);
	if (slot >= CDNA_IOMMU_SLOTS)
		slot = find_first_zero_bit(io->slots, CDNA_IOMMU_SLOTS);
	if (slot >= CDNA_IOMMU_SLOTS)
		return -ENOSPC;
	*cpu = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
	if (!*cpu)
		return -ENOMEM;
	iova = io->win_first + (u64)slot * CDNA_IOMMU_SLOT_SIZE;
	ret = cdna_iommu_map(io->domain, iova, virt_to_phys(*cpu),
			     PAGE_ALIGN(size),
			     IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE);
	if (ret) {
		free_pages_exact(*cpu, size);
		*cpu = NULL;
		return ret;
	}
	set_bit(slot, io->slots);
	*dma = iova;
	return 0;
}

static void cdna_iommu_host_free(struct cdna_ctx *ctx, struct device *dev,
				 size_t size, void *cpu, dma_addr_t dma)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	/* After a detach the area went with the domain: only free it. */
	if (io && io->domain && dma >= io->win_first && dma <= io->win_last) {
		iommu_unmap(io->domain, dma, PAGE_ALIGN(size));
		clear_bit((dma - io->win_first) / CDNA_IOMMU_SLOT_SIZE,
			  io->slots);
	}
	free_pages_exact(cpu, size);
}

static int cdna_iommu_map_ring(struct cdna_ctx *ctx, u64 iova, size_t len,
			       struct cdna_ring_map *map)
{
	struct cdna_iommu *io = cdna_iommu(ctx);
	int ret;

	if (!io)
		return -ENODEV;
	if (!len || iova + len - 1 < iova)
		return -EINVAL;
	if (cdna_iommu_in_window(io, iova, iova + len - 1))
		return -EFAULT;
	ret = cdna_protect_pin_ring(ctx, iova, len, map);
	if (!ret)
		atomic_add(map->npages, &io->ring_pages);
	return ret;
}

static void cdna_iommu_unmap_ring(struct cdna_ctx *ctx,
				  struct cdna_ring_map *map)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	if (!map->pages)
		return;
	if (io)
		atomic_sub(map->npages, &io->ring_pages);
	cdna_protect_unpin_ring(ctx, map);
}

static void cdna_iommu_put_buf(struct cdna_ctx *ctx, struct cdna_buf *buf)
{
	struct cdna_iommu *io = cdna_iommu(ctx);
	struct cdna_pin *pin;
	unsigned int i;

	for (i = 0; io && i < buf->npages; i++) {
		pin = buf->pins[i];
		if (!pin)
			continue;
		/* single-use: the device is done with it, unmap now. */
		if (!--pin->users && io->single_use)
			cdna_iommu_release(io, pin);
	}
	buf->npages = 0;
	buf->unmapped = 0;
}

static int cdna_iommu_get_buf(struct cdna_ctx *ctx, u64 iova, u32 len,
			      unsigned int flags, struct cdna_buf *buf)
{
	struct cdna_iommu *io = cdna_iommu(ctx);
	bool write = flags & CDNA_BUF_WRITE;
	struct cdna_pin *pin;
	u64 first, last, gfn;
	unsigned int i = 0;
	int err;

	buf->npages = 0;
	buf->unmapped = 0;
	if (!io || !io->domain)
		return -ENODEV;
	/* The engine's own copies need host pages: a device only. */
	if (!(flags & CDNA_BUF_DEVICE))
		return -EOPNOTSUPP;
	err = cdna_buf_span(iova, len, buf, &first, &last);
	if (err)
		return err;
	if (cdna_iommu_in_window(io, iova, iova + len - 1))
		return -EFAULT;
	for (gfn = first; gfn <= last; gfn++, i++) {
		pin = cdna_iommu_get_page(io, gfn, write, &err);
		if (err) {
			cdna_iommu_put_buf(ctx, buf);
			return err;
		}
		buf->pages[i] = pin ? pin->page : NULL;
		buf->pins[i] = pin;
		buf->unmapped += !pin;
		buf->npages = i + 1;
	}
	return 0;
}

static void cdna_iommu_dma_unmap(struct cdna_ctx *ctx, u64 iova, u64 len)
{
	struct cdna_iommu *io;
	u64 last;

	if (!len)
		return;
	last = iova + len - 1 < iova ? U64_MAX : iova + len - 1;
	cdna_eng_lock(ctx);
	io = cdna_iommu(ctx);
	if (io) {
		cdna_iommu_revoke(io, iova, last);
		/* The device gives back what it holds in the range... */
		cdna_eng_dma_unmap_locked(ctx, iova, len);
		/* ...and cannot reach it any more: iommu_unmap flushes. */
		cdna_iommu_invalidate(io, iova >> PAGE_SHIFT,
				      last >> PAGE_SHIFT);
	}
	cdna_eng_unlock(ctx);
}

static u64 cdna_iommu_pinned_pages(struct cdna_ctx *ctx)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	if (!io)
		return 0;
	return READ_ONCE(io->nr_mapped) + atomic_read(&io->ring_pages);
}

static void cdna_iommu_pin_stats(struct cdna_ctx *ctx, u64 *hits,
				 u64 *misses, u64 *evictions)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	*hits = io ? READ_ONCE(io->hits) : 0;
	*misses = io ? READ_ONCE(io->maps) : 0;
	*evictions = 0;
}

static void cdna_iommu_flush(struct cdna_ctx *ctx)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	if (!io)
		return;
	cdna_iommu_invalidate(io, 0, ULONG_MAX);
	cdna_iommu_revoked_prune(io);
}

static void cdna_iommu_show(struct cdna_ctx *ctx, struct seq_file *s)
{
	struct cdna_iommu *io = cdna_iommu(ctx);

	seq_printf(s, "iommu_strategy %s\n",
		   ctx->strategy == CDNA_STRATEGY_MODE_SINGLE_USE ?
		   "single-use" : "persistent");
	seq_printf(s, "iommu_faults %lld\n",
		   (s64)atomic64_read(&ctx->iommu_faults));
	if (!io)
		return;
	seq_printf(s, "iommu_domain %d\n", !!READ_ONCE(io->domain));
	if (READ_ONCE(io->domain))
		seq_printf(s, "iommu_window_first 0x%llx\n", io->win_first);
	seq_printf(s, "iommu_mapped_pages %lu\n", READ_ONCE(io->nr_mapped));
	seq_printf(s, "iommu_maps %llu\n", READ_ONCE(io->maps));
	seq_printf(s, "iommu_unmaps %llu\n", READ_ONCE(io->unmaps));
	seq_printf(s, "iommu_hits %llu\n", READ_ONCE(io->hits));
}

/**
 * cdna_iommu_totals() - what every iommu context holds, module-wide
 * @domains: domains allocated and not freed
 * @guest_pages: guest pages mapped (and pinned) in them
 *
 * Both are 0 once no context has its device attached: how the teardown
 * tests see that a domain went empty and was freed.
 */
void cdna_iommu_totals(unsigned int *domains, unsigned long *guest_pages)
{
	*domains = atomic_read(&cdna_iommu_nr_domains);
	*guest_pages = atomic_long_read(&cdna_iommu_nr_guest_pages);
}

const struct cdna_protect_ops cdna_protect_iommu_ops = {
	.name = "iommu",
	.dev_iova = true,
	.open = cdna_iommu_open,
	.close = cdna_iommu_close,
	.map_ring = cdna_iommu_map_ring,
	.unmap_ring = cdna_iommu_unmap_ring,
	.get_buf = cdna_iommu_get_buf,
	.put_buf = cdna_iommu_put_buf,
	.dma_unmap = cdna_iommu_dma_unmap,
	.pinned_pages = cdna_iommu_pinned_pages,
	.pin_stats = cdna_iommu_pin_stats,
	.flush = cdna_iommu_flush,
	.dev_attach = cdna_iommu_dev_attach,
	.dev_detach = cdna_iommu_dev_detach,
	.host_alloc = cdna_iommu_host_alloc,
	.host_free = cdna_iommu_host_free,
	.show = cdna_iommu_show,
};
