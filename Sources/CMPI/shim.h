#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H
#include <mpi.h>

/* MPI's predefined handles are macros over implementation globals (Open MPI: casts of addresses),
   which Swift does not import; these functions return them. */
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline int cmpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }

#endif
