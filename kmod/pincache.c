// SPDX-License-Identifier: GPL-2.0
/*
 * cdna pin cache: guest pages pinned through vfio_pin_pages(), reused across
 * descriptors and released lazily.
 *
 * A context's data buffers come and go with every packet, but a guest
 * recycles the same pages (RX rings are refilled with the same buffers, TX
 * data comes from a few page_frag pages per socket), so pinning per
 * descriptor would cost a vfio_pin_pages() round trip per packet.  The cache
 * keeps one VFIO pin per guest page with a user count:
 *
 *  - cdna_pincache_get() looks pages up by guest frame number and pins the
 *    missing ones (process context: vfio_pin_pages() sleeps);
 *  - cdna_pincache_put() drops the users; an unused pin stays cached;
 *  - unused pins beyond @max_pins are evicted by the clock algorithm (an
 *    approximation of least recently used that costs the hit path no
 *    list operation); pins in use are never evicted;
 *  - cdna_pincache_invalidate() drops every pin in a range synchronously
 *    (the VM unmapped it: VFIO requires the pins gone before .dma_unmap
 *    returns), in use or not.  No page outlives its use: the engine copies
 *    a buffer between cdna_pincache_get() and cdna_pincache_put(), under
 *    the context's engine lock, which .dma_unmap takes too; no skb ever
 *    refers to a guest page.
 *
 * With a device attached (a backend whose NIC does the DMA), a cached pin
 * also keeps its DMA API mapping for that device, made the first time a
 * buffer for the device uses the page (cdna_pincache_dma_map()) and
 * undone with the pin.  Behind an IOMMU, a mapping per packet costs an
 * IOTLB invalidation at its unmap; a recycled page costs none this way.
 * As with page_pool, the engine syncs the range it hands to the device,
 * and for RX the range the device wrote (no-ops on a cache-coherent
 * device without bounce buffers).
 *
 * Locking: every function here but the counters' readers runs under the
 * context's engine exclusion (struct cdna_engine_ops.ctx_lock), which the
 * engine holds around each protection call and .dma_unmap, reset and close
 * take: it is the cache's lock, so a hit costs a hash walk and a user
 * count, no lock of its own.  The counters are u64_stats, written under
 * that exclusion and read by statistics without it.
 *
 * Ranking: Ram'09 reuses grants the same way; Willmann'08 calls this the
 * "persistent" strategy, here bounded and invalidated on unmap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/hash.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/u64_stats_sync.h>

#include "cdna.h"

static atomic64_t cdna_pins_total = ATOMIC64_INIT(0);

static unsigned int cdna_pincache_bucket(u64 gfn)
{
	return hash_64(gfn, CDNA_PINCACHE_HASH_BITS);
}

static struct cdna_pin *cdna_pincache_lookup(struct cdna_pincache *pc, u64 gfn)
{
	struct cdna_pin *pin;

	hlist_for_each_entry(pin, &pc->hash[cdna_pincache_bucket(gfn)], hnode)
		if (pin->gfn == gfn)
			return pin;
	return NULL;
}

/* Adds @n to one of @pc's counters (the engine lock is held). */
static void cdna_pincache_count(struct cdna_pincache *pc, u64_stats_t *c,
				u64 n)
{
	u64_stats_update_begin(&pc->syncp);
	u64_stats_add(c, n);
	u64_stats_update_end(&pc->syncp);
}

/* Takes a user of @pin and marks it recently used (no list operation). */
static void cdna_pincache_use(struct cdna_pin *pin)
{
	pin->users++;
	pin->ref = true;
}

/* Removes @pin from the cache proper (hash and clock); it is no longer found. */
static void cdna_pincache_unlink(struct cdna_pincache *pc, struct cdna_pin *pin)
{
	hash_del(&pin->hnode);
	list_del_init(&pin->lru);
	WRITE_ONCE(pc->nr_pins, pc->nr_pins - 1);
}

/* A read-only pin is mapped for the device to read only. */
static enum dma_data_direction cdna_pin_dma_dir(const struct cdna_pin *pin)
{
	return pin->writable ? DMA_BIDIRECTIONAL : DMA_TO_DEVICE;
}

/* Drops @pin's DMA mapping, if it has one. */
static void cdna_pincache_dma_unmap_pin(struct cdna_pincache *pc,
					struct cdna_pin *pin)
{
	if (!pin->dma_mapped)
		return;
	dma_unmap_page(pc->dma_dev, pin->dma, PAGE_SIZE, cdna_pin_dma_dir(pin));
	pin->dma_mapped = false;
}

static void cdna_pincache_unpin(struct cdna_pincache *pc, u64 gfn)
{
	vfio_unpin_pages(pc->vdev, gfn << PAGE_SHIFT, 1);
	atomic64_dec(&cdna_pins_total);
}

/*
 * Unpins and frees the pins on @list (linked through ->lru).  Entries
 * still used by a packet (marked dead) get their pin dropped here and are
 * freed by the last cdna_pincache_put().  Sleeps.
 */
static void cdna_pincache_release(struct cdna_pincache *pc,
				  struct list_head *list)
{
	struct cdna_pin *pin, *tmp;

	list_for_each_entry_safe(pin, tmp, list, lru) {
		list_del_init(&pin->lru);
		/* The device loses the page before VFIO does. */
		cdna_pincache_dma_unmap_pin(pc, pin);
		cdna_pincache_unpin(pc, pin->gfn);
		/* The victims list's user; a buffer's drops the last one. */
		if (!--pin->users)
			kfree(pin);
	}
}

/*
 * Evicts unused pins until at most @pc->max_pins remain, by the clock
 * (second chance) algorithm: the hand walks from the oldest entry; a pin
 * in use, or used since the hand last passed, is spared (its mark
 * cleared) and moved behind the hand.  Sleeps.
 */
static void cdna_pincache_shrink(struct cdna_pincache *pc)
{
	unsigned int steps;
	struct cdna_pin *pin;
	LIST_HEAD(victims);

	/* Two rounds at most: every mark is clear after the first. */
	steps = 2 * pc->nr_pins;
	while (pc->nr_pins > READ_ONCE(pc->max_pins) && steps--) {
		pin = list_last_entry(&pc->lru, struct cdna_pin, lru);
		if (pin->users || pin->ref) {
			pin->ref = false;
			list_move(&pin->lru, &pc->lru);
			continue;
		}
		cdna_pincache_unlink(pc, pin);
		pin->dead = true;
		/* Held by the victims list; cdna_pincache_release() drops it. */
		pin->users = 1;
		list_add_tail(&pin->lru, &victims);
		cdna_pincache_count(pc, &pc->evictions, 1);
	}
	cdna_pincache_release(pc, &victims);
}

/*
 * Pins one guest page and inserts it, replacing a read-only pin of the
 * page when @write needs a writable one.  Returns the pin with a user
 * taken.  Sleeps.
 */
static struct cdna_pin *cdna_pincache_fill(struct cdna_pincache *pc, u64 gfn,
					   bool write, int *err)
{
	struct cdna_pin *pin, *old;
	bool writable = true;
	LIST_HEAD(victims);
	struct page *page;
	int ret;

	pin = kzalloc(sizeof(*pin), GFP_KERNEL);
	if (!pin) {
		*err = -ENOMEM;
		return NULL;
	}

	ret = vfio_pin_pages(pc->vdev, gfn << PAGE_SHIFT, 1,
			     IOMMU_READ | IOMMU_WRITE, &page);
	if (ret == -EPERM && !write) {
		/* A read-only DMA mapping: good enough for TX data. */
		writable = false;
		ret = vfio_pin_pages(pc->vdev, gfn << PAGE_SHIFT, 1,
				     IOMMU_READ, &page);
	}
	if (ret != 1) {
		kfree(pin);
		/*
		 * -EINVAL: no DMA mapping there (PCI hole, beyond RAM, a
		 * BAR); -EPERM: mapped without the access we need.
		 */
		*err = (ret == -EINVAL || ret == -EPERM || ret == -EFAULT ||
			ret >= 0) ? -EFAULT : -ENOSPC;
		return NULL;
	}
	atomic64_inc(&cdna_pins_total);

	pin->gfn = gfn;
	pin->page = page;
	pin->writable = writable;
	pin->users = 1;
	pin->ref = true;

	old = cdna_pincache_lookup(pc, gfn);
	if (old) {
		/* A read-only pin is cached; ours is writable: replace it. */
		cdna_pincache_unlink(pc, old);
		old->dead = true;
		old->users++;
		list_add_tail(&old->lru, &victims);
	}
	hlist_add_head(&pin->hnode, &pc->hash[cdna_pincache_bucket(gfn)]);
	list_add(&pin->lru, &pc->lru);
	WRITE_ONCE(pc->nr_pins, pc->nr_pins + 1);
	cdna_pincache_count(pc, &pc->misses, 1);

	cdna_pincache_release(pc, &victims);
	return pin;
}

/**
 * cdna_buf_span() - check a guest buffer's bounds, and start describing it
 * @iova: guest DMA address of the buffer
 * @len: length in bytes
 * @buf: gets @iova, @len and the offset in the first page; no page yet
 * @first: the buffer's first guest frame number
 * @last: its last guest frame number
 *
 * Return: 0, or -EINVAL for a zero, too long or wrapping range.
 */
int cdna_buf_span(u64 iova, u32 len, struct cdna_buf *buf, u64 *first,
		  u64 *last)
{
	if (!len || len > CDNA_BUF_MAX_LEN || iova + len < iova)
		return -EINVAL;
	*first = iova >> PAGE_SHIFT;
	*last = (iova + len - 1) >> PAGE_SHIFT;
	if (*last - *first + 1 > CDNA_BUF_MAX_PAGES)
		return -EINVAL;
	buf->iova = iova;
	buf->len = len;
	buf->offset = offset_in_page(iova);
	buf->npages = 0;
	return 0;
}

/**
 * cdna_pincache_get() - pin the guest pages of a buffer
 * @pc: the context's pin cache
 * @iova: guest DMA address of the buffer
 * @len: length in bytes, 1..CDNA_BUF_MAX_LEN
 * @flags: CDNA_BUF_WRITE: the engine will write the buffer (RX);
 *	CDNA_BUF_NOWAIT: hits only, no call into VFIO
 * @buf: filled with the pages and their pins
 *
 * Process context (sleeps on a cache miss).  On failure nothing is held.
 *
 * Return: 0; -EINVAL for a zero, too long or wrapping range; -EFAULT if a
 * page is not memory the VM mapped for DMA (with the access needed);
 * -ENOMEM or -ENOSPC if pinning failed for lack of host resources;
 * -EAGAIN with CDNA_BUF_NOWAIT if a page is not cached (with the access
 * needed).
 */
int cdna_pincache_get(struct cdna_pincache *pc, u64 iova, u32 len,
		      unsigned int flags, struct cdna_buf *buf)
{
	bool write = flags & CDNA_BUF_WRITE;
	u64 first, last, gfn;
	unsigned int i = 0, hits = 0;
	struct cdna_pin *pin;
	bool missed = false;
	int err;

	err = cdna_buf_span(iova, len, buf, &first, &last);
	if (err)
		return err;

	for (gfn = first; gfn <= last; gfn++, i++) {
		pin = cdna_pincache_lookup(pc, gfn);
		if (pin && (pin->writable || !write)) {
			cdna_pincache_use(pin);
			hits++;
		} else if (flags & CDNA_BUF_NOWAIT) {
			err = -EAGAIN;
			goto err_put;
		} else {
			might_sleep();
			pin = cdna_pincache_fill(pc, gfn, write, &err);
			if (!pin)
				goto err_put;
			missed = true;
		}
		buf->pages[i] = pin->page;
		buf->pins[i] = pin;
		buf->npages = i + 1;
	}
	cdna_pincache_count(pc, &pc->hits, hits);

	if (missed && READ_ONCE(pc->nr_pins) > READ_ONCE(pc->max_pins))
		cdna_pincache_shrink(pc);
	return 0;

err_put:
	cdna_pincache_count(pc, &pc->hits, hits);
	cdna_pincache_put(pc, buf);
	return err;
}

/**
 * cdna_pincache_drop_reason() - the drop counter for a cdna_pincache_get() error
 * @err: what cdna_pincache_get() returned (negative)
 *
 * Return: the reason a descriptor whose buffer could not be pinned is
 * dropped and counted under.
 */
enum cdna_drop_reason cdna_pincache_drop_reason(int err)
{
	switch (err) {
	case -EINVAL:
		return CDNA_DROP_BAD_LEN;
	case -EFAULT:
		return CDNA_DROP_BAD_ADDR;
	case -ENOMEM:
		return CDNA_DROP_NOMEM;
	default:
		return CDNA_DROP_PIN;
	}
}

/**
 * cdna_pincache_put() - release the pages of a buffer
 * @pc: the context's pin cache
 * @buf: a buffer filled by cdna_pincache_get()
 *
 * The pins stay cached.  Does not sleep; the engine calls it right after
 * copying the buffer, or when the NIC gave the buffer back.
 */
void cdna_pincache_put(struct cdna_pincache *pc, struct cdna_buf *buf)
{
	struct cdna_pin *pin;
	unsigned int i;

	for (i = 0; i < buf->npages; i++) {
		pin = buf->pins[i];
		if (!--pin->users && pin->dead)
			kfree(pin);
	}
	buf->npages = 0;
}

/**
 * cdna_pincache_invalidate() - drop every pin in a guest range
 * @pc: the context's pin cache
 * @iova: first guest DMA address
 * @len: length in bytes; 0 or a wrapping range means "to the end"
 *
 * Returns when VFIO holds no pin of the cache in the range.  A pin still
 * used by a buffer (one the NIC holds) loses its VFIO pin and its DMA
 * mapping too; the buffer's put frees the entry.  The engine copies a
 * buffer only between cdna_pincache_get() and cdna_pincache_put() under
 * the engine exclusion, which the callers hold: no copy is under way.
 * Sleeps.
 */
void cdna_pincache_invalidate(struct cdna_pincache *pc, u64 iova, u64 len)
{
	u64 first = iova >> PAGE_SHIFT;
	u64 last = (!len || iova + len - 1 < iova) ? U64_MAX :
		   (iova + len - 1) >> PAGE_SHIFT;
	struct hlist_node *tmp;
	struct cdna_pin *pin;
	LIST_HEAD(victims);
	unsigned int bkt;

	hash_for_each_safe(pc->hash, bkt, tmp, pin, hnode) {
		if (pin->gfn < first || pin->gfn > last)
			continue;
		cdna_pincache_unlink(pc, pin);
		pin->dead = true;
		/* The victims list holds a user until the pin is dropped. */
		pin->users++;
		list_add_tail(&pin->lru, &victims);
	}
	cdna_pincache_release(pc, &victims);
}

/**
 * cdna_pincache_dma_attach() - map pins for a device from now on
 * @pc: the cache
 * @dev: the device that does the context's DMA until
 *	cdna_pincache_dma_detach()
 */
void cdna_pincache_dma_attach(struct cdna_pincache *pc, struct device *dev)
{
	pc->dma_dev = dev;
}

/**
 * cdna_pincache_dma_detach() - drop every pin's mapping for the device
 * @pc: the cache; the device does no DMA for the context (its queues
 *	stopped)
 *
 * The pins stay cached; a later attach maps them again as they are used.
 */
void cdna_pincache_dma_detach(struct cdna_pincache *pc)
{
	struct cdna_pin *pin;
	unsigned int bkt;

	if (!pc->dma_dev)
		return;
	hash_for_each(pc->hash, bkt, pin, hnode)
		cdna_pincache_dma_unmap_pin(pc, pin);
	pc->dma_dev = NULL;
}

/**
 * cdna_pincache_dma_map() - the attached device's addresses of a buffer
 * @pc: the cache
 * @buf: a buffer filled by cdna_pincache_get()
 *
 * Fills @buf->dma: each page's DMA address for the attached device,
 * mapped the first time and kept while the pin is cached, or
 * DMA_MAPPING_ERROR where the engine must map the page itself (no device
 * attached, or the mapping failed).  The engine syncs each use.
 */
void cdna_pincache_dma_map(struct cdna_pincache *pc, struct cdna_buf *buf)
{
	struct device *dev = pc->dma_dev;
	struct cdna_pin *pin;
	unsigned int i;
	dma_addr_t dma;

	for (i = 0; i < buf->npages; i++) {
		pin = buf->pins[i];
		buf->dma[i] = DMA_MAPPING_ERROR;
		if (!dev)
			continue;
		if (!pin->dma_mapped) {
			dma = dma_map_page(dev, pin->page, 0, PAGE_SIZE,
					   cdna_pin_dma_dir(pin));
			if (dma_mapping_error(dev, dma))
				continue;
			pin->dma = dma;
			pin->dma_mapped = true;
		}
		buf->dma[i] = pin->dma;
	}
}

/**
 * cdna_pincache_init() - prepare an empty pin cache
 * @pc: the cache
 * @vdev: the VFIO device pins are taken through
 * @max_pins: unused pins beyond this many are evicted
 */
void cdna_pincache_init(struct cdna_pincache *pc, struct vfio_device *vdev,
			unsigned int max_pins)
{
	hash_init(pc->hash);
	INIT_LIST_HEAD(&pc->lru);
	pc->vdev = vdev;
	pc->dma_dev = NULL;
	pc->nr_pins = 0;
	pc->max_pins = max_pins;
	u64_stats_init(&pc->syncp);
	u64_stats_set(&pc->hits, 0);
	u64_stats_set(&pc->misses, 0);
	u64_stats_set(&pc->evictions, 0);
}

/**
 * cdna_pincache_pinned() - pins the cache holds
 * @pc: the cache
 *
 * Return: cached pins (in use or not).
 */
unsigned int cdna_pincache_pinned(struct cdna_pincache *pc)
{
	return READ_ONCE(pc->nr_pins);
}

/**
 * cdna_pincache_stats() - read the counters of a cache
 * @pc: the cache; no lock needed
 * @hits: lookups that found the page pinned
 * @misses: lookups that pinned it
 * @evictions: unused pins dropped to respect the bound
 */
void cdna_pincache_stats(struct cdna_pincache *pc, u64 *hits, u64 *misses,
			 u64 *evictions)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&pc->syncp);
		*hits = u64_stats_read(&pc->hits);
		*misses = u64_stats_read(&pc->misses);
		*evictions = u64_stats_read(&pc->evictions);
	} while (u64_stats_fetch_retry(&pc->syncp, start));
}

/**
 * cdna_pins_total_read() - VFIO pins the data path holds, module-wide
 *
 * Return: pins held by the pin caches and for mapped rings; the selftests
 * check that it returns to zero after every test.
 */
s64 cdna_pins_total_read(void)
{
	return atomic64_read(&cdna_pins_total);
}

/**
 * cdna_pins_total_add() - account ring pins in the module-wide count
 * @n: pins taken (positive) or dropped (negative)
 */
void cdna_pins_total_add(s64 n)
{
	atomic64_add(n, &cdna_pins_total);
}
