// SPDX-License-Identifier: GPL-2.0
/* Queues: stub until the data-path work lands. */
#include "cdna.h"

int cdna_queue_enable(struct cdna_queue *q)
{
	return 0;
}

void cdna_queue_disable(struct cdna_queue *q)
{
}

void cdna_queue_kick(struct cdna_queue *q)
{
}
