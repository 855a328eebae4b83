// SPDX-License-Identifier: GPL-2.0
/* TODO(control side): debugfs */
#include "cdna.h"
