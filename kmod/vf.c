// SPDX-License-Identifier: GPL-2.0
/* TODO(control side): vf */
#include "cdna.h"
