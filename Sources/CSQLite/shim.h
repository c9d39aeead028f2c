#ifndef PERSONA_CSQLITE_SHIM_H
#define PERSONA_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
