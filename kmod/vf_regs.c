// SPDX-License-Identifier: GPL-2.0
/* TODO(control side): vf_regs */
#include "cdna.h"
