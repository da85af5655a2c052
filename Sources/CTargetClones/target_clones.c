// SwiftPM needs one source file in a C target; this one is header-only (include/sa_clones.h).
#include "sa_clones.h"
