#ifndef CPNG_SHIM_H
#define CPNG_SHIM_H
/* libpng's simplified API (png_image_*): it catches libpng's internal longjmp errors itself and
   reports them as a zero return with image->message, so Swift can call it directly. */
#include <png.h>
#endif
