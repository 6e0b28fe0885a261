#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H
/* jpeglib.h needs FILE and size_t declared before it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

/* libjpeg reports errors by calling error_exit, which must not return; its default exits the
   process. Swift cannot setjmp, so the whole decode runs here: error_exit (and emit_message for
   corrupt-data warnings, which the default would only print) longjmp back to cjpeg_decode, which
   frees everything and returns an error code with libjpeg's message. */
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} cjpeg_error_manager;

static void cjpeg_fail(j_common_ptr info) {
    cjpeg_error_manager *manager = (cjpeg_error_manager *)info->err;
    manager->base.format_message(info, manager->message);
    longjmp(manager->jump, 1);
}

/* Level -1 is a corrupt-data warning (a truncated file is one: libjpeg pads it with gray and
   carries on); a decoder that must reject corrupt files treats it as an error. Trace messages
   (levels >= 0) are ignored. */
static void cjpeg_emit_message(j_common_ptr info, int level) {
    if (level < 0) cjpeg_fail(info);
}

static void cjpeg_output_message(j_common_ptr info) { (void)info; }

/* Decodes the JPEG in data[0..<size] into 8-bit interleaved pixels (1 channel for grayscale
   files, 3 for colour), allocated with malloc into *pixels (free with free()).
   Returns 0 on success; 1 with `message` set when the data is not a decodable JPEG, or when the
   image has more than max_pixels pixels or components other than 1 or 3 after conversion. */
static inline int cjpeg_decode(const unsigned char *data, unsigned long size, unsigned long max_pixels,
                               unsigned char **pixels, int *width, int *height, int *channels,
                               char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    cjpeg_error_manager manager;
    /* Assigned after setjmp and read after longjmp: volatile keeps it out of registers. */
    unsigned char *volatile output = NULL;
    *pixels = NULL;
    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = cjpeg_fail;
    manager.base.emit_message = cjpeg_emit_message;
    manager.base.output_message = cjpeg_output_message;
    manager.message[0] = 0;
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&info);
        free(output);
        snprintf(message, message_size, "%s", manager.message);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    /* libjpeg converts YCbCr and grayscale; CMYK/YCCK files keep 4 components and are refused. */
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    if (info.output_components != 1 && info.output_components != 3) {
        snprintf(manager.message, sizeof manager.message, "unsupported: %d colour components",
                 info.output_components);
        longjmp(manager.jump, 1);
    }
    if ((unsigned long)info.output_width * info.output_height > max_pixels) {
        snprintf(manager.message, sizeof manager.message, "too large: %ux%u pixels",
                 info.output_width, info.output_height);
        longjmp(manager.jump, 1);
    }
    size_t stride = (size_t)info.output_width * info.output_components;
    output = malloc(stride * info.output_height);
    if (!output) {
        snprintf(manager.message, sizeof manager.message, "out of memory");
        longjmp(manager.jump, 1);
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = output + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *channels = info.output_components;
    *pixels = output;
    jpeg_destroy_decompress(&info);
    return 0;
}
#endif
