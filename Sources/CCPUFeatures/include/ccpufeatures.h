#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H

/* Bits of ccpu_features(), in the order CPURequirements.swift names them: the instructions the engine's code is compiled for (Haswell's set:
   the C kernels with -mavx2 -mfma, the Swift engine with -target-cpu haswell). */
enum {
    CCPU_AVX = 1u << 0,    /* and the OS saves the YMM registers */
    CCPU_AVX2 = 1u << 1,
    CCPU_FMA = 1u << 2,
    CCPU_F16C = 1u << 3,
    CCPU_BMI1 = 1u << 4,
    CCPU_BMI2 = 1u << 5,
    CCPU_LZCNT = 1u << 6,
    CCPU_MOVBE = 1u << 7,
    CCPU_POPCNT = 1u << 8,
};

/* The CCPU_* features this CPU has, read with CPUID (and XGETBV for the OS's AVX support).
   Built for baseline x86-64, so it runs on any CPU. */
unsigned ccpu_features(void);

#endif
