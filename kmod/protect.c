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
 * rings lie in the range and drops the cached pins there.
 *
 * type1 removes the mapping only after the callback returned, under its
 * own lock; if it then finds a pin in the range it calls us again, and
 * after ten such rounds for one mapping it gives up with BUG_ON().  So no
 * pin may be taken in the range between our return and that removal, yet
 * a vIOMMU guest may map the same IOVA again at once and must be able to
 * use it.  The unmapped range is therefore remembered as revoked, with no
 * time limit, and treated by state:
 *  - a data buffer in a revoked range is never pinned: it is copied
 *    through vfio_dma_rw(), which looks the mapping up at each call and
 *    pins nothing (a mapping being removed or a new one: both are right);
 *  - a ring may be pinned there (a new mapping is fine), but if the range
 *    is unmapped again while such a ring runs, the range is marked
 *    ring-strict and rings are refused there until the mapping is gone:
 *    type1 sees at most one more round;
 *  - a revoked range is forgotten once vfio_dma_rw() proves no mapping
 *    covers it any more (a copy fails with -EINVAL, or the check at each
 *    reset), and at close.
 * docs/datapath.md describes what this costs and what remains.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/iommu.h>
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

#define CDNA_REVOKED_SLOTS	16

/**
 * struct cdna_revoked - a guest range the VM unmapped while the context was
 *	open, which type1 may still be tearing down
 * @first: first guest DMA address
 * @last: last guest DMA address
 * @merged: the hull of several unmapped ranges (the table was full): it is
 *	never proven gone, only forgotten at close
 * @ring_strict: a ring was pinned in the range after it had been unmapped,
 *	and the range was unmapped again: rings are refused there
 */
struct cdna_revoked {
	u64 first;
	u64 last;
	bool merged;
	bool ring_strict;
};

/**
 * struct cdna_checked - per-context state of the checked protection
 * @ctx: the context
 * @pc: the pin cache for data buffers
 * @ring_pages: pages pinned for rings and shared areas
 * @nrevoked: entries in @revoked
 * @revoked: ranges unmapped by the VM (see cdna_checked_dma_unmap())
 * @bounce_busy: a buffer uses @bounce
 * @bounce_write: that buffer is written by the engine (RX)
 * @bounce_lost: bounced RX buffers whose copy back failed (range gone)
 * @bounce: host pages standing in for a buffer in a revoked range
 *
 * Everything but @ring_pages is protected by the context's engine lock,
 * which every caller of the ops holds (or takes, for .dma_unmap).
 */
struct cdna_checked {
	struct cdna_ctx *ctx;
	struct cdna_pincache pc;
	atomic_t ring_pages;
	unsigned int nrevoked;
	struct cdna_revoked revoked[CDNA_REVOKED_SLOTS];
	bool bounce_busy;
	bool bounce_write;
	u64 bounce_lost;
	struct page *bounce[CDNA_BUF_MAX_PAGES];
};

static struct cdna_checked *cdna_checked(struct cdna_ctx *ctx)
{
	return ctx->protect_priv;
}

/* The last address of [iova, iova + len); U64_MAX for a wrapping range. */
static u64 cdna_range_last(u64 iova, u64 len)
{
	return iova + len - 1 < iova ? U64_MAX : iova + len - 1;
}

/* Index of a revoked range meeting [first, last], or -1. */
static int cdna_checked_revoked_find(struct cdna_checked *chk, u64 first,
				     u64 last)
{
	unsigned int i;

	for (i = 0; i < chk->nrevoked; i++)
		if (first <= chk->revoked[i].last &&
		    last >= chk->revoked[i].first)
			return i;
	return -1;
}

static void cdna_checked_revoked_forget(struct cdna_checked *chk,
					unsigned int i)
{
	chk->revoked[i] = chk->revoked[--chk->nrevoked];
}

/*
 * Records [first, last] as revoked.  A full table merges the range into
 * the entry it widens least: a merged entry covers more than was
 * unmapped, which costs speed (bounced copies), never safety.
 */
static void cdna_checked_revoke(struct cdna_checked *chk, u64 first, u64 last,
				bool ring_strict)
{
	struct cdna_revoked *e;
	u64 grow, best = U64_MAX;
	unsigned int i, victim = 0;

	for (i = 0; i < chk->nrevoked; i++) {
		e = &chk->revoked[i];
		if (e->first == first && e->last == last) {
			e->ring_strict |= ring_strict;
			return;
		}
	}
	if (chk->nrevoked < CDNA_REVOKED_SLOTS) {
		e = &chk->revoked[chk->nrevoked++];
		e->first = first;
		e->last = last;
		e->merged = false;
		e->ring_strict = ring_strict;
		return;
	}
	for (i = 0; i < CDNA_REVOKED_SLOTS; i++) {
		e = &chk->revoked[i];
		grow = (max(e->last, last) - min(e->first, first)) -
		       (e->last - e->first);
		if (grow < best) {
			best = grow;
			victim = i;
		}
	}
	e = &chk->revoked[victim];
	e->first = min(e->first, first);
	e->last = max(e->last, last);
	e->merged = true;
	e->ring_strict |= ring_strict;
}

/*
 * True if no DMA mapping covers @iova any more: type1 removed the one
 * that was unmapped, so pinning there can no longer make it retry.  Reads
 * one byte through vfio_dma_rw(), which pins nothing; type1 looks the
 * mapping up before it checks the caller's mm, so any caller gets -EINVAL
 * for a missing mapping.
 */
static bool cdna_checked_gone(struct cdna_ctx *ctx, u64 iova)
{
	u8 byte;

	return vfio_dma_rw(&ctx->vdev, iova, &byte, 1, false) == -EINVAL;
}

/* Forgets the revoked ranges whose mapping is proven gone. */
static void cdna_checked_revoked_prune(struct cdna_checked *chk)
{
	unsigned int i = 0;

	while (i < chk->nrevoked) {
		if (!chk->revoked[i].merged &&
		    cdna_checked_gone(chk->ctx, chk->revoked[i].first))
			cdna_checked_revoked_forget(chk, i);
		else
			i++;
	}
}

static bool cdna_ring_overlaps(const struct cdna_ring_map *m, u64 first,
			       u64 last)
{
	return m->pages && first <= m->iova + m->len - 1 && last >= m->iova;
}

/*
 * True if a ring that lies in [first, last] also lies in a range revoked
 * before: it was pinned after that unmap, and is being unmapped again.
 */
static bool cdna_checked_ring_repinned(struct cdna_checked *chk, u64 first,
				       u64 last)
{
	struct cdna_ctx *ctx = chk->ctx;
	const struct cdna_ring_map *maps[3];
	unsigned int i, j;

	for (i = 0; i < 2 * ctx->nqp; i++) {
		maps[0] = &ctx->queues[i].desc;
		maps[1] = &ctx->queues[i].cpl;
		maps[2] = &ctx->queues[i].shm;
		for (j = 0; j < ARRAY_SIZE(maps); j++)
			if (cdna_ring_overlaps(maps[j], first, last) &&
			    cdna_checked_revoked_find(chk, maps[j]->iova,
						      maps[j]->iova +
						      maps[j]->len - 1) >= 0)
				return true;
	}
	return false;
}

static void cdna_checked_bounce_free(struct cdna_checked *chk)
{
	unsigned int i;

	for (i = 0; i < CDNA_BUF_MAX_PAGES; i++) {
		if (chk->bounce[i])
			__free_page(chk->bounce[i]);
		chk->bounce[i] = NULL;
	}
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
	cdna_eng_lock(ctx);
	cdna_eng_release_locked(ctx);
	cdna_pincache_invalidate(&chk->pc, 0, 0);
	ctx->protect_priv = NULL;
	cdna_eng_unlock(ctx);
	cdna_checked_bounce_free(chk);
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

/**
 * cdna_protect_pin_ring() - pin a guest range and vmap it for the CPU
 * @ctx: the context, open
 * @iova: guest DMA address of the first byte
 * @len: bytes, not wrapping
 * @map: filled on success
 *
 * The part of .map_ring every protection shares: the host CPU reads and
 * writes rings and shared areas, whatever guards the device's DMA.
 *
 * Return: 0; -EFAULT if a page is not memory the VM mapped for DMA;
 * -ENOMEM, or vfio_pin_pages()'s error for lack of host resources.
 */
int cdna_protect_pin_ring(struct cdna_ctx *ctx, u64 iova, size_t len,
			  struct cdna_ring_map *map)
{
	unsigned int npages, done, n;
	struct page **pages;
	void *vaddr;
	u64 gfn;
	int ret;

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
	cdna_pins_total_add(npages);
	return 0;

err_unpin:
	if (done)
		cdna_checked_unpin_range(ctx, gfn, done);
	kfree(pages);
	return ret;
}

/**
 * cdna_protect_unpin_ring() - undo cdna_protect_pin_ring()
 * @ctx: the context
 * @map: a map filled by cdna_protect_pin_ring(), or an empty one
 */
void cdna_protect_unpin_ring(struct cdna_ctx *ctx, struct cdna_ring_map *map)
{
	if (!map->pages)
		return;
	vunmap((void *)((unsigned long)map->vaddr & PAGE_MASK));
	cdna_checked_unpin_range(ctx, map->iova >> PAGE_SHIFT, map->npages);
	cdna_pins_total_add(-(s64)map->npages);
	kfree(map->pages);
	memset(map, 0, sizeof(*map));
}

static int cdna_checked_map_ring(struct cdna_ctx *ctx, u64 iova, size_t len,
				 struct cdna_ring_map *map)
{
	struct cdna_checked *chk = cdna_checked(ctx);
	int ret;

	if (!chk)
		return -ENODEV;
	if (!len || iova + len - 1 < iova)
		return -EINVAL;
	ret = cdna_checked_revoked_find(chk, iova, iova + len - 1);
	if (ret >= 0 && chk->revoked[ret].ring_strict) {
		/*
		 * A ring was pinned here after the VM unmapped the range, and
		 * the range was unmapped again: refuse until the mapping is
		 * proven gone, so that type1 cannot be made to retry for ever.
		 */
		if (chk->revoked[ret].merged ||
		    !cdna_checked_gone(ctx, chk->revoked[ret].first))
			return -EFAULT;
		cdna_checked_revoked_forget(chk, ret);
	}

	ret = cdna_protect_pin_ring(ctx, iova, len, map);
	if (!ret)
		atomic_add(map->npages, &chk->ring_pages);
	return ret;
}

static void cdna_checked_unmap_ring(struct cdna_ctx *ctx,
				    struct cdna_ring_map *map)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (!map->pages)
		return;
	if (chk)
		atomic_sub(map->npages, &chk->ring_pages);
	cdna_protect_unpin_ring(ctx, map);
}

/* vfio_dma_rw() errors as cdna_pincache_get() reports them. */
static int cdna_checked_rw_err(int err)
{
	return err == -EINVAL || err == -EPERM || err == -EFAULT ?
	       -EFAULT : -ENOSPC;
}

/*
 * A buffer in a revoked range: copied to (and for RX later from) host
 * pages through vfio_dma_rw(), which checks the mapping at each call and
 * pins nothing, so type1 never finds a pin of ours there.  An RX buffer is
 * read and written back as it is, which checks that it is writable.
 */
static int cdna_checked_bounce_get(struct cdna_checked *chk, u64 iova,
				   u32 len, bool write, struct cdna_buf *buf)
{
	struct vfio_device *vdev = &chk->ctx->vdev;
	u32 off = offset_in_page(iova), left = len, chunk;
	unsigned int i, npages;
	u64 cur = iova;
	int idx, ret;
	void *dst;

	if (len > CDNA_BUF_MAX_LEN)
		return -EINVAL;
	npages = ((iova + len - 1) >> PAGE_SHIFT) - (iova >> PAGE_SHIFT) + 1;
	if (npages > CDNA_BUF_MAX_PAGES)
		return -EINVAL;
	if (chk->bounce_busy)
		return -ENOSPC;

	for (i = 0; i < npages; i++) {
		if (!chk->bounce[i]) {
			chk->bounce[i] = alloc_page(GFP_KERNEL);
			if (!chk->bounce[i])
				return -ENOMEM;
		}
		chunk = min_t(u32, left, PAGE_SIZE - (i ? 0 : off));
		dst = page_address(chk->bounce[i]) + (i ? 0 : off);
		ret = vfio_dma_rw(vdev, cur, dst, chunk, false);
		if (!ret && write)
			ret = vfio_dma_rw(vdev, cur, dst, chunk, true);
		if (ret) {
			/* No mapping: the unmap is over, forget the range. */
			idx = cdna_checked_revoked_find(chk, cur, cur);
			if (ret == -EINVAL && idx >= 0 &&
			    !chk->revoked[idx].merged)
				cdna_checked_revoked_forget(chk, idx);
			return cdna_checked_rw_err(ret);
		}
		buf->pages[i] = chk->bounce[i];
		buf->pins[i] = NULL;
		cur += chunk;
		left -= chunk;
	}
	buf->iova = iova;
	buf->len = len;
	buf->offset = off;
	buf->npages = npages;
	chk->bounce_busy = true;
	chk->bounce_write = write;
	return 0;
}

static void cdna_checked_bounce_put(struct cdna_checked *chk,
				    struct cdna_buf *buf)
{
	u32 left = buf->len, chunk;
	u64 cur = buf->iova;
	unsigned int i;
	int ret = 0;

	for (i = 0; chk->bounce_write && i < buf->npages && !ret; i++) {
		chunk = min_t(u32, left, PAGE_SIZE - (i ? 0 : buf->offset));
		ret = vfio_dma_rw(&chk->ctx->vdev, cur,
				  page_address(buf->pages[i]) +
				  (i ? 0 : buf->offset), chunk, true);
		cur += chunk;
		left -= chunk;
	}
	if (ret) {
		/* The VM took the buffer away while the device owned it. */
		chk->bounce_lost++;
		dev_dbg_ratelimited(mdev_dev(chk->ctx->mdev),
				    "RX buffer 0x%llx unmapped before its copy back: %d\n",
				    buf->iova, ret);
	}
	chk->bounce_busy = false;
	buf->npages = 0;
}

static int cdna_checked_get_buf(struct cdna_ctx *ctx, u64 iova, u32 len,
				unsigned int flags, struct cdna_buf *buf)
{
	struct cdna_checked *chk = cdna_checked(ctx);
	bool write = flags & CDNA_BUF_WRITE;
	int idx, ret;

	buf->npages = 0;
	buf->unmapped = 0;
	if (!chk)
		return -ENODEV;
	if (!len || iova + len - 1 < iova)
		return -EINVAL;
	idx = chk->nrevoked ?
	      cdna_checked_revoked_find(chk, iova, iova + len - 1) : -1;
	if (idx >= 0) {
		/* Both ways below go through vfio_dma_rw(). */
		if (flags & CDNA_BUF_NOWAIT)
			return -EAGAIN;
		if (!(flags & CDNA_BUF_DEVICE))
			return cdna_checked_bounce_get(chk, iova, len, write,
						       buf);
		/*
		 * A device cannot use a bounce page in the guest's stead:
		 * refuse, unless this range's mapping is proven gone (then
		 * the pin below fails on its own, or finds a new mapping).
		 */
		if (chk->revoked[idx].merged ||
		    !cdna_checked_gone(ctx, chk->revoked[idx].first))
			return -EFAULT;
		cdna_checked_revoked_forget(chk, idx);
	}
	ret = cdna_pincache_get(&chk->pc, iova, len, flags, buf);
	if (!ret && (flags & CDNA_BUF_DEVICE))
		cdna_pincache_dma_map(&chk->pc, buf);
	return ret;
}

static void cdna_checked_put_buf(struct cdna_ctx *ctx, struct cdna_buf *buf)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (!chk || !buf->npages)
		return;
	if (!buf->pins[0])
		cdna_checked_bounce_put(chk, buf);
	else
		cdna_pincache_put(&chk->pc, buf);
}

static void cdna_checked_dma_unmap(struct cdna_ctx *ctx, u64 iova, u64 len)
{
	struct cdna_checked *chk;
	u64 last;

	if (!len)
		return;
	cdna_eng_lock(ctx);
	chk = cdna_checked(ctx);
	if (chk) {
		last = cdna_range_last(iova, len);
		/* Before the rings go: was one pinned in a revoked range? */
		cdna_checked_revoke(chk, iova, last,
				    cdna_checked_ring_repinned(chk, iova, last));
		cdna_eng_dma_unmap_locked(ctx, iova, len);
		cdna_pincache_invalidate(&chk->pc, iova, len);
	}
	cdna_eng_unlock(ctx);
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
	/* The engine lock is held: no buffer is in use. */
	chk->bounce_busy = false;
	cdna_checked_revoked_prune(chk);
	/* A new pin_max applies from the next reset (or open) on. */
	WRITE_ONCE(chk->pc.max_pins, READ_ONCE(cdna_pin_max));
}

/* Host memory for the device: the DMA API, in the device's own domain. */
static int cdna_checked_host_alloc(struct cdna_ctx *ctx, struct device *dev,
				   size_t size, void **cpu, dma_addr_t *dma)
{
	*cpu = dma_alloc_coherent(dev, size, dma, GFP_KERNEL);
	return *cpu ? 0 : -ENOMEM;
}

static void cdna_checked_host_free(struct cdna_ctx *ctx, struct device *dev,
				   size_t size, void *cpu, dma_addr_t dma)
{
	dma_free_coherent(dev, size, cpu, dma);
}

/* The device keeps each cached page's DMA mapping (pincache.c). */
static int cdna_checked_dev_attach(struct cdna_ctx *ctx, struct device *dev)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (!chk)
		return -ENODEV;
	cdna_pincache_dma_attach(&chk->pc, dev);
	return 0;
}

static void cdna_checked_dev_detach(struct cdna_ctx *ctx, struct device *dev)
{
	struct cdna_checked *chk = cdna_checked(ctx);

	if (chk)
		cdna_pincache_dma_detach(&chk->pc);
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
	.dev_attach = cdna_checked_dev_attach,
	.dev_detach = cdna_checked_dev_detach,
	.host_alloc = cdna_checked_host_alloc,
	.host_free = cdna_checked_host_free,
};
