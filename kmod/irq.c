// SPDX-License-Identifier: GPL-2.0
/* TODO(control side): irq */
#include "cdna.h"
