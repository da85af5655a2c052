// A narrow C surface over libjpeg-turbo. libjpeg reports fatal errors by calling
// error_exit, which must not return; the shim answers with setjmp/longjmp inside
// each entry point below, so no longjmp ever unwinds a Swift frame. Swift sees
// only status codes, plain structs and an opaque handle.
#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CJPEG_OK = 0,
    CJPEG_ERR_LIBRARY = 1,         // libjpeg error_exit; message() says which
    CJPEG_ERR_CORRUPT = 2,         // corrupt entropy data (a warning we make fatal)
    CJPEG_ERR_TRUNCATED = 3,       // the data ended before the image did
    CJPEG_ERR_TOO_MANY_SCANS = 4,  // progressive scan count over the cap
    CJPEG_ERR_MEMORY_LIMIT = 5,    // libjpeg needed more than max_memory
    CJPEG_ERR_EMPTY_IMAGE = 6,     // a zero width or height was declared
    CJPEG_ERR_BAD_ARGUMENT = 7,    // the caller broke the shim's contract
    CJPEG_ERR_NO_MEMORY = 8,       // malloc failed
    CJPEG_ERR_TOO_BIG = 9          // a side over libjpeg's 65500 limit was declared
} cjpeg_status;

typedef enum {
    CJPEG_CS_UNKNOWN = 0,
    CJPEG_CS_GRAY = 1,
    CJPEG_CS_RGB = 2,
    CJPEG_CS_YCBCR = 3,
    CJPEG_CS_CMYK = 4,
    CJPEG_CS_YCCK = 5
} cjpeg_color_space;

typedef struct {
    uint32_t width;
    uint32_t height;
    int32_t num_components;
    int32_t color_space;      // cjpeg_color_space of the stored data
    int32_t progressive;
    int32_t adobe_marker;     // Adobe APP14 seen: CMYK data is stored inverted
    // Both point into memory owned by the decoder handle; copy before destroy.
    const uint8_t *exif;      // APP1 payload after "Exif\0\0" (a TIFF stream), or NULL
    size_t exif_len;
    const uint8_t *icc;       // reassembled ICC profile, or NULL
    size_t icc_len;
} cjpeg_info;

typedef struct cjpeg_decoder cjpeg_decoder;

// `data` must stay valid and unchanged until cjpeg_decoder_destroy.
// max_scans caps progressive scans; max_memory caps libjpeg's own pools (bytes).
cjpeg_decoder *cjpeg_decoder_create(const uint8_t *data, size_t len,
                                    int32_t max_scans, size_t max_memory);
// Reads markers up to the first SOS. Allocates no pixel memory. On
// CJPEG_ERR_EMPTY_IMAGE and CJPEG_ERR_TOO_BIG, width and height hold the
// declared size so the caller can say what was declared.
int32_t cjpeg_decoder_read_header(cjpeg_decoder *dec, cjpeg_info *info);
// Decodes to interleaved RGB8 into `out` (exactly width*height*3 bytes).
// CMYK and YCCK are converted with the naive (ICC-free) formula.
int32_t cjpeg_decoder_decode_rgb(cjpeg_decoder *dec, uint8_t *out, size_t out_len);
// Human-readable text of the last failure ("" if none). Owned by the handle.
const char *cjpeg_decoder_message(const cjpeg_decoder *dec);
void cjpeg_decoder_destroy(cjpeg_decoder *dec);

typedef struct {
    int32_t quality;          // 1...100
    int32_t subsampling_420;  // 1: 4:2:0 chroma, 0: 4:4:4
    int32_t progressive;
    int32_t optimize_coding;
    // A restart marker after every this many MCUs (0: none). With an interval that divides the
    // MCUs per row, each segment is a rectangle of whole MCUs that can be re-encoded on its own.
    int32_t restart_interval;
} cjpeg_encode_options;

// Encodes interleaved RGB8 rows (stride bytes apart). On success *out is a
// malloc'd buffer the caller frees with cjpeg_free. `message` receives the
// failure text (at least 200 bytes is enough for any libjpeg message).
int32_t cjpeg_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height,
                         size_t stride, const cjpeg_encode_options *options,
                         const uint8_t *icc, size_t icc_len,
                         uint8_t **out, size_t *out_len,
                         char *message, size_t message_len);
void cjpeg_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
