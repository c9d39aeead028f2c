#ifndef PERSONA_COPENBLAS_SHIM_H
#define PERSONA_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
/* Exported by OpenBLAS's pthreads server (blas_server.c) but not declared in cblas.h: stops
   the worker threads, which otherwise spin on sched_yield for ~0.1 s after start-up. OpenBLAS
   starts them again by itself if a later call is allowed more than one thread. */
int blas_thread_shutdown_(void);
#endif
