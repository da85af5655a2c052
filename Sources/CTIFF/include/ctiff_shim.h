// A narrow C surface over libtiff: the first image (directory) of a TIFF held in memory, read
// through libtiff's RGBA interface (every photometric interpretation, bit depth and compression
// it supports). Errors go to a per-handle handler (TIFFOpenOptions), never to stderr.
#ifndef CTIFF_SHIM_H
#define CTIFF_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CTIFF_OK = 0,
    CTIFF_ERR_CORRUPT = 1,       // libtiff refused the data; message() says why
    CTIFF_ERR_UNSUPPORTED = 2,   // a layout the RGBA interface cannot convert (floating point, >4 samples…)
    CTIFF_ERR_NO_MEMORY = 3,
    CTIFF_ERR_BAD_ARGUMENT = 4,  // the caller broke the shim's contract
    CTIFF_ERR_TRUNCATED = 5,     // a strip or tile lies past the end of the data
    CTIFF_ERR_MEMORY_LIMIT = 6   // an allocation over create()'s max_alloc was refused
} ctiff_status;

typedef struct {
    uint32_t width;
    uint32_t height;
    int32_t samples_per_pixel;
    int32_t bits_per_sample;
    int32_t photometric;     // PHOTOMETRIC_* as stored
    int32_t orientation;     // the Orientation tag, 1-8 (EXIF's values), 1 when absent
    int32_t has_alpha;       // an extra sample marked associated or unassociated alpha
    int32_t directories;     // 1, or 2 when the file holds more than one image (only the first is read)
    // Owned by libtiff's directory; copy before destroy.
    const uint8_t *icc;      // TIFFTAG_ICCPROFILE, or NULL
    size_t icc_len;
} ctiff_info;

typedef struct ctiff_decoder ctiff_decoder;

// `data` must stay valid and unchanged until ctiff_decoder_destroy. max_alloc bounds every single
// allocation libtiff makes (TIFFOpenOptionsSetMaxSingleMemAlloc).
ctiff_decoder *ctiff_decoder_create(const uint8_t *data, size_t len, size_t max_alloc);
// Reads the first directory. Allocates no pixel memory.
int32_t ctiff_decoder_read_header(ctiff_decoder *dec, ctiff_info *info);
// Decodes the first image into `out` as width * height packed RGBA words in *stored* row order
// (the Orientation tag is not applied: the caller applies it), 8 bits a sample (16-bit samples
// reduced with rounding), alpha premultiplied (libtiff's RGBA interface associates it), 255 where
// the image has none.
int32_t ctiff_decoder_decode_rgba(ctiff_decoder *dec, uint8_t *out, size_t out_len);
const char *ctiff_decoder_message(const ctiff_decoder *dec);
void ctiff_decoder_destroy(ctiff_decoder *dec);

#ifdef __cplusplus
}
#endif
#endif
