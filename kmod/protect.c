// SPDX-License-Identifier: GPL-2.0
/* Guest DMA protection: stub until the data-path work lands. */
#include "cdna.h"

const struct cdna_protect_ops cdna_protect_checked_ops = {
	.name = "checked",
};
