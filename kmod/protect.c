// SPDX-License-Identifier: GPL-2.0
/*
 * cdna guest DMA protection, "checked" flavour.
 *
 * The engine reaches guest memory only through struct cdna_protect_ops.  The
 * checked flavour trusts nothing the guest wrote: every buffer address is
 * translated by pinning it through vfio_pin_pages(), which refuses (-EINVAL)
 * any page the VM did not map for DMA, so a buffer is usable only if it lies
 * wholly inside the VM's DMA mappings.  Pins are cached (pincache.c).
 *
 * Rings and shared index areas are pinned whole and vmap()ed while their
 * queue is enabled.
 *
 * A VM unmapping DMA memory (.dma_unmap) must find every pin in the range
 * dropped before the callback returns, so cdna_checked_dma_unmap() quiesces
 * the engine for the context (its engine lock), stops the queues whose
 * rings lie in the range and drops the cached pins there.  For a short
 * while afterwards the range is refused outright: VFIO removes the mapping
 * only after the callback returned, and a pin taken in between would make
 * it call us again (it gives up with BUG_ON() after ten rounds).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "cdna.h"

static unsigned int cdna_pin_max = 4096;
static struct cdna_param_uint cdna_pin_max_param = {
	.val = &cdna_pin_max, .min = 0, .max = 1U << 20,
};
module_param_cb(pin_max, &cdna_param_uint_ops, &cdna_pin_max_param, 0644);
MODULE_PARM_DESC(pin_max,
		 "Unused guest pages a context keeps pinned (pin cache bound; 0..1048576)");

#define CDNA_DYING_SLOTS	4
#define CDNA_DYING_TIME		(HZ / 10)

/**
 * struct cdna_checked - per-context state of the checked protection
 * @ctx: the context
 * @pc: the pin cache for data buffers
 * @ring_pages: pages pinned for rings and shared areas
 * @dying_lock: protects @dying
 * @dying: ranges recently unmapped by the VM, refused until @until
 */
struct cdna_checked {
	struct cdna_ctx *ctx;
	struct cdna_pincache pc;
	atomic_t ring_pages;
	spinlock_t dying_lock;	/* dying[] */
	struct {
		u64 first;
		u64 last;
		unsigned long until;
	} dying[CDNA_DYING_SLOTS];
};

static struct cdna_checked *cdna_checked(struct cdna_ctx *ctx)
{
	return ctx->protect_priv;
}

/* True if [iova, iova + len) meets a range the VM unmapped moments ago. */
static bool cdna_checked_dying(struct cdna_checked *chk, u64 iova, u64 len)
{
	u64 last = iova + len - 1;
	bool hit = false;
	unsigned int i;

	spin_lock_bh(&chk->dying_lock);
	for (i = 0; i < CDNA_DYING_SLOTS; i++) {
		if (!chk->dying[i].until)
			continue;
		if (time_after(jiffies, chk->dying[i].until)) {
			chk->dying[i].until = 0;
			continue;
		}
		if (iova <= chk->dying[i].last && last >= chk->dying[i].first)
			hit = true;
	}
	spin_unlock_bh(&chk->dying_lock);
	return hit;
}

static void cdna_checked_mark_dying(struct cdna_checked *chk, u64 iova,
				    u64 len)
{
	unsigned int i, victim = 0;
	unsigned long until = jiffies + CDNA_DYING_TIME;

	spin_lock_bh(&chk->dying_lock);
	for (i = 0; i < CDNA_DYING_SLOTS; i++) {
		if (!chk->dying[i].until ||
		    time_after(jiffies, chk->dying[i].until)) {
			victim = i;
			break;
		}
		if (time_before(chk->dying[i].until, chk->dying[victim].until))
			victim = i;
	}
	chk->dying[victim].first = iova;
	chk->dying[victim].last = iova + len - 1;
	chk->dying[victim].until = until ?: 1;
	spin_unlock_bh(&chk->dying_lock);
}

static int cdna_checked_open(struct cdna_ctx *ctx)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (chk)
		return 0;
	chk = kzalloc(sizeof(*chk), GFP_KERNEL);
	if (!chk)
		return -ENOMEM;
	chk->ctx = ctx;
	cdna_pincache_init(&chk->pc, &ctx->vdev, cdna_pin_max);
	atomic_set(&chk->ring_pages, 0);
	spin_lock_init(&chk->dying_lock);
	ctx->protect_priv = chk;
	return 0;
}

static void cdna_checked_close(struct cdna_ctx *ctx)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (!chk)
		return;
	/*
	 * The engine must be done with the context: stop every queue (which
	 * unmaps its rings) and drop every cached pin, under the engine lock.
	 */
	cdna_engine_ctx_lock(ctx);
	cdna_engine_ctx_release_locked(ctx);
	cdna_pincache_invalidate(&chk->pc, 0, 0);
	ctx->protect_priv = NULL;
	cdna_engine_ctx_unlock(ctx);
	kfree(chk);
}

static void cdna_checked_unpin_range(struct cdna_ctx *ctx, u64 gfn,
				     unsigned int npages)
{
	unsigned int done, n;

	for (done = 0; done < npages; done += n) {
		n = min_t(unsigned int, npages - done,
			  VFIO_PIN_PAGES_MAX_ENTRIES);
		vfio_unpin_pages(&ctx->vdev, (gfn + done) << PAGE_SHIFT, n);
	}
}

static int cdna_checked_map_ring(struct cdna_ctx *ctx, u64 iova, size_t len,
				 struct cdna_ring_map *map)
{
	struct cdna_checked *chk = cdna_checked(ctx);
	unsigned int npages, done, n;
	struct page **pages;
	void *vaddr;
	u64 gfn;
	int ret;

	if (!chk)
		return -ENODEV;
	if (!len || iova + len - 1 < iova)
		return -EINVAL;
	if (cdna_checked_dying(chk, iova, len))
		return -EFAULT;

	gfn = iova >> PAGE_SHIFT;
	npages = ((iova + len - 1) >> PAGE_SHIFT) - gfn + 1;
	pages = kcalloc(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	for (done = 0; done < npages; done += n) {
		n = min_t(unsigned int, npages - done,
			  VFIO_PIN_PAGES_MAX_ENTRIES);
		ret = vfio_pin_pages(&ctx->vdev, (gfn + done) << PAGE_SHIFT, n,
				     IOMMU_READ | IOMMU_WRITE, pages + done);
		if (ret != n) {
			ret = ret < 0 && ret != -EINVAL && ret != -EPERM &&
			      ret != -EFAULT ? ret : -EFAULT;
			goto err_unpin;
		}
	}

	vaddr = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	if (!vaddr) {
		ret = -ENOMEM;
		goto err_unpin;
	}

	map->iova = iova;
	map->len = len;
	map->vaddr = vaddr + offset_in_page(iova);
	map->npages = npages;
	map->pages = pages;
	atomic_add(npages, &chk->ring_pages);
	cdna_pins_total_add(npages);
	return 0;

err_unpin:
	if (done)
		cdna_checked_unpin_range(ctx, gfn, done);
	kfree(pages);
	return ret;
}

static void cdna_checked_unmap_ring(struct cdna_ctx *ctx,
				    struct cdna_ring_map *map)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (!map->pages)
		return;
	vunmap((void *)((unsigned long)map->vaddr & PAGE_MASK));
	cdna_checked_unpin_range(ctx, map->iova >> PAGE_SHIFT, map->npages);
	if (chk)
		atomic_sub(map->npages, &chk->ring_pages);
	cdna_pins_total_add(-(s64)map->npages);
	kfree(map->pages);
	memset(map, 0, sizeof(*map));
}

static int cdna_checked_get_buf(struct cdna_ctx *ctx, u64 iova, u32 len,
				bool write, struct cdna_buf *buf)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	buf->npages = 0;
	if (!chk)
		return -ENODEV;
	if (!len || iova + len - 1 < iova)
		return -EINVAL;
	if (cdna_checked_dying(chk, iova, len))
		return -EFAULT;
	return cdna_pincache_get(&chk->pc, iova, len, write, buf);
}

static void cdna_checked_put_buf(struct cdna_ctx *ctx, struct cdna_buf *buf)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (chk && buf->npages)
		cdna_pincache_put(&chk->pc, buf);
}

static void cdna_checked_dma_unmap(struct cdna_ctx *ctx, u64 iova, u64 len)
{
	struct cdna_checked *chk;

	if (!len)
		return;
	cdna_engine_ctx_lock(ctx);
	chk = cdna_checked(ctx);
	if (chk) {
		cdna_checked_mark_dying(chk, iova, len);
		cdna_engine_ctx_dma_unmap_locked(ctx, iova, len);
		cdna_pincache_invalidate(&chk->pc, iova, len);
	}
	cdna_engine_ctx_unlock(ctx);
}

static u64 cdna_checked_pinned_pages(struct cdna_ctx *ctx)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (!chk)
		return 0;
	return cdna_pincache_pinned(&chk->pc) + atomic_read(&chk->ring_pages);
}

static void cdna_checked_pin_stats(struct cdna_ctx *ctx, u64 *hits,
				   u64 *misses, u64 *evictions)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	*hits = 0;
	*misses = 0;
	*evictions = 0;
	if (chk)
		cdna_pincache_stats(&chk->pc, hits, misses, evictions);
}

static void cdna_checked_flush(struct cdna_ctx *ctx)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (!chk)
		return;
	cdna_pincache_invalidate(&chk->pc, 0, 0);
	/* A new pin_max applies from the next reset (or open) on. */
	WRITE_ONCE(chk->pc.max_pins, READ_ONCE(cdna_pin_max));
}

const struct cdna_protect_ops cdna_protect_checked_ops = {
	.name = "checked",
	.open = cdna_checked_open,
	.close = cdna_checked_close,
	.map_ring = cdna_checked_map_ring,
	.unmap_ring = cdna_checked_unmap_ring,
	.get_buf = cdna_checked_get_buf,
	.put_buf = cdna_checked_put_buf,
	.dma_unmap = cdna_checked_dma_unmap,
	.pinned_pages = cdna_checked_pinned_pages,
	.pin_stats = cdna_checked_pin_stats,
	.flush = cdna_checked_flush,
};
