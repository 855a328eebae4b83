// SPDX-License-Identifier: GPL-2.0
/* TODO(control side): vf_cfg */
#include "cdna.h"
