// SPDX-License-Identifier: GPL-2.0
/* Pin cache: stub until the data-path work lands. */
#include "cdna.h"
