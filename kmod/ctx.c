// SPDX-License-Identifier: GPL-2.0
/* TODO(control side): ctx */
#include "cdna.h"
