// SPDX-License-Identifier: GPL-2.0
/* TODO(control side): nic */
#include "cdna.h"
