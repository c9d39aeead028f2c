#ifndef PERSONA_COPENBLAS_SHIM_H
#define PERSONA_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
