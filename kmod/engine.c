// SPDX-License-Identifier: GPL-2.0
/* Software NIC engine: stub until the data-path work lands. */
#include "cdna.h"

int cdna_engine_create(struct cdna_nic *nic)
{
	return 0;
}

void cdna_engine_destroy(struct cdna_nic *nic)
{
}

int cdna_engine_ctx_add(struct cdna_nic *nic, struct cdna_ctx *ctx)
{
	return 0;
}

void cdna_engine_ctx_del(struct cdna_nic *nic, struct cdna_ctx *ctx)
{
}

void cdna_engine_ctx_start(struct cdna_ctx *ctx)
{
}

void cdna_engine_ctx_stop(struct cdna_ctx *ctx)
{
}
