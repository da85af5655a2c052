// libtiff over a memory buffer (TIFFClientOpenExt with read-only procs), its errors captured per
// handle, its allocations capped, the pixels read with TIFFRGBAImage.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

#include "ctiff_shim.h"

struct ctiff_decoder {
    const uint8_t *data;
    size_t len;
    size_t pos;
    TIFF *tiff;
    int read_past_end;
    int header_read;
    uint32_t width, height;
    char message[256];
};

static tmsize_t read_proc(thandle_t handle, void *buffer, tmsize_t size) {
    struct ctiff_decoder *dec = handle;
    if (size < 0) return -1;
    size_t available = dec->pos < dec->len ? dec->len - dec->pos : 0;
    size_t n = (size_t)size < available ? (size_t)size : available;
    if (n < (size_t)size) dec->read_past_end = 1;
    memcpy(buffer, dec->data + dec->pos, n);
    dec->pos += n;
    return (tmsize_t)n;
}

static tmsize_t write_proc(thandle_t handle, void *buffer, tmsize_t size) {
    (void)handle; (void)buffer; (void)size;
    return -1;
}

static toff_t seek_proc(thandle_t handle, toff_t offset, int whence) {
    struct ctiff_decoder *dec = handle;
    uint64_t base = whence == SEEK_CUR ? dec->pos : whence == SEEK_END ? dec->len : 0;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) return (toff_t)-1;
    // Offsets are unsigned; a seek past the end is allowed (reads there return nothing).
    uint64_t target = base + offset;
    if (target < base || target > (uint64_t)SIZE_MAX) return (toff_t)-1;
    dec->pos = (size_t)target;
    return target;
}

static int close_proc(thandle_t handle) { (void)handle; return 0; }
static toff_t size_proc(thandle_t handle) { return ((struct ctiff_decoder *)handle)->len; }
static int map_proc(thandle_t handle, void **base, toff_t *size) {
    struct ctiff_decoder *dec = handle;
    *base = (void *)dec->data;
    *size = dec->len;
    return 1;
}
static void unmap_proc(thandle_t handle, void *base, toff_t size) { (void)handle; (void)base; (void)size; }

static int on_error(TIFF *tiff, void *user, const char *module, const char *format, va_list args) {
    (void)tiff; (void)module;
    struct ctiff_decoder *dec = user;
    // The first error is the cause; later ones are consequences.
    if (dec->message[0] == 0) vsnprintf(dec->message, sizeof dec->message, format, args);
    return 1;
}

static int on_warning(TIFF *tiff, void *user, const char *module, const char *format, va_list args) {
    (void)tiff; (void)user; (void)module; (void)format; (void)args;
    return 1;
}

static int32_t failure(struct ctiff_decoder *dec, const char *fallback) {
    if (dec->message[0] == 0) snprintf(dec->message, sizeof dec->message, "%s", fallback);
    if (dec->read_past_end) return CTIFF_ERR_TRUNCATED;
    // libtiff words the refusal of an allocation over TIFFOpenOptionsSetMaxSingleMemAlloc so.
    if (strstr(dec->message, "byte limit") != NULL) return CTIFF_ERR_MEMORY_LIMIT;
    if (strstr(dec->message, "emory") != NULL) return CTIFF_ERR_NO_MEMORY;
    return CTIFF_ERR_CORRUPT;
}

ctiff_decoder *ctiff_decoder_create(const uint8_t *data, size_t len, size_t max_alloc) {
    if (data == NULL || len == 0) return NULL;
    struct ctiff_decoder *dec = calloc(1, sizeof *dec);
    if (dec == NULL) return NULL;
    dec->data = data;
    dec->len = len;
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) { free(dec); return NULL; }
    if (max_alloc > 0) TIFFOpenOptionsSetMaxSingleMemAlloc(options, (tmsize_t)max_alloc);
    TIFFOpenOptionsSetErrorHandlerExtR(options, on_error, dec);
    TIFFOpenOptionsSetWarningHandlerExtR(options, on_warning, dec);
    // "rm": read-only, and no memory-mapping of the buffer (libtiff would then read strips straight
    // out of it; the copying reads bound every access by the procs above).
    dec->tiff = TIFFClientOpenExt("upload", "rm", dec, read_proc, write_proc, seek_proc, close_proc, size_proc,
                                  map_proc, unmap_proc, options);
    TIFFOpenOptionsFree(options);
    return dec;
}

int32_t ctiff_decoder_read_header(ctiff_decoder *dec, ctiff_info *info) {
    if (dec == NULL || info == NULL) return CTIFF_ERR_BAD_ARGUMENT;
    memset(info, 0, sizeof *info);
    if (dec->tiff == NULL) return failure(dec, "not a TIFF file");
    TIFF *tiff = dec->tiff;
    uint32_t width = 0, height = 0;
    uint16_t samples = 1, bits = 1, photometric = 0, orientation = ORIENTATION_TOPLEFT;
    if (!TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width) || !TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height)) {
        return failure(dec, "the first image has no ImageWidth or ImageLength");
    }
    TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_ORIENTATION, &orientation);
    uint16_t extra_count = 0;
    uint16_t *extra = NULL;
    if (TIFFGetField(tiff, TIFFTAG_EXTRASAMPLES, &extra_count, &extra) && extra_count > 0 && extra != NULL) {
        info->has_alpha = extra[0] == EXTRASAMPLE_ASSOCALPHA || extra[0] == EXTRASAMPLE_UNASSALPHA;
    }
    uint32_t icc_len = 0;
    void *icc = NULL;
    if (TIFFGetField(tiff, TIFFTAG_ICCPROFILE, &icc_len, &icc) && icc != NULL && icc_len > 0) {
        info->icc = icc;
        info->icc_len = icc_len;
    }
    info->width = dec->width = width;
    info->height = dec->height = height;
    info->samples_per_pixel = samples;
    info->bits_per_sample = bits;
    info->photometric = photometric;
    info->orientation = orientation >= 1 && orientation <= 8 ? orientation : 1;
    // TIFFNumberOfDirectories walks every IFD of the file; checking for a next one is enough.
    info->directories = TIFFLastDirectory(tiff) ? 1 : 2;
    dec->header_read = 1;
    return CTIFF_OK;
}

int32_t ctiff_decoder_decode_rgba(ctiff_decoder *dec, uint8_t *out, size_t out_len) {
    if (dec == NULL || out == NULL || !dec->header_read) return CTIFF_ERR_BAD_ARGUMENT;
    if (out_len != (size_t)dec->width * (size_t)dec->height * 4) return CTIFF_ERR_BAD_ARGUMENT;
    char reason[1024] = {0};
    if (!TIFFRGBAImageOK(dec->tiff, reason)) {
        snprintf(dec->message, sizeof dec->message, "%s", reason);
        return CTIFF_ERR_UNSUPPORTED;
    }
    TIFFRGBAImage image;
    if (!TIFFRGBAImageBegin(&image, dec->tiff, 1, reason)) {
        if (dec->message[0] == 0) snprintf(dec->message, sizeof dec->message, "%s", reason);
        return failure(dec, "libtiff cannot read this image as RGBA");
    }
    // Asking for the stored orientation makes libtiff flip nothing: rows arrive top first as
    // stored, and the caller applies all eight orientations alike (libtiff's own handling covers
    // only the flips, not the transposed orientations 5-8).
    image.req_orientation = image.orientation;
    int ok = TIFFRGBAImageGet(&image, (uint32_t *)(void *)out, dec->width, dec->height);
    TIFFRGBAImageEnd(&image);
    if (!ok || dec->message[0] != 0) return failure(dec, "libtiff could not decode the image");
    return CTIFF_OK;
}

const char *ctiff_decoder_message(const ctiff_decoder *dec) { return dec ? dec->message : ""; }

void ctiff_decoder_destroy(ctiff_decoder *dec) {
    if (dec == NULL) return;
    if (dec->tiff) TIFFClose(dec->tiff);
    free(dec);
}
