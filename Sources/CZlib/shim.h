#ifndef PERSONA_CZLIB_SHIM_H
#define PERSONA_CZLIB_SHIM_H
#include <zlib.h>
#endif
