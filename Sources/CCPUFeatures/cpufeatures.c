#include "ccpufeatures.h"
#include <cpuid.h>

unsigned ccpu_features(void) {
    unsigned a, b, c, d, features = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned leaf1 = c;
    /* AVX counts only when the OS saves the XMM and YMM state (OSXSAVE, then XCR0 bits 1 and 2). */
    if ((leaf1 & bit_OSXSAVE) && (leaf1 & bit_AVX)) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        if ((lo & 6) == 6) features |= CCPU_AVX;
    }
    if (leaf1 & bit_FMA) features |= CCPU_FMA;
    if (leaf1 & bit_F16C) features |= CCPU_F16C;
    if (leaf1 & bit_MOVBE) features |= CCPU_MOVBE;
    if (leaf1 & bit_POPCNT) features |= CCPU_POPCNT;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        if (b & bit_AVX2) features |= CCPU_AVX2;
        if (b & bit_BMI) features |= CCPU_BMI1;
        if (b & bit_BMI2) features |= CCPU_BMI2;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (c & bit_LZCNT)) features |= CCPU_LZCNT;
    return features;
}
