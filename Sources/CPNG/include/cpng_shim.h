// A narrow C surface over libpng 1.6. libpng reports errors through a callback
// that must not return; the shim longjmps back into the entry point that made
// the call, so no longjmp ever crosses a Swift frame. Swift sees status codes,
// plain structs and an opaque handle.
#ifndef CPNG_SHIM_H
#define CPNG_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CPNG_OK = 0,
    CPNG_ERR_LIBRARY = 1,       // libpng png_error; message() says which
    CPNG_ERR_TRUNCATED = 2,     // libpng asked for bytes past the end of the data
    CPNG_ERR_BAD_ARGUMENT = 3,  // the caller broke the shim's contract
    CPNG_ERR_NO_MEMORY = 4
} cpng_status;

typedef struct {
    uint32_t width;
    uint32_t height;
    int32_t bit_depth;     // 1, 2, 4, 8 or 16 as stored
    int32_t color_type;    // PNG_COLOR_TYPE_* as stored (0 gray, 2 RGB, 3 palette, 4 GA, 6 RGBA)
    int32_t interlaced;
    int32_t has_alpha;     // alpha channel or tRNS: decode yields 4 channels
    // Both point into memory owned by the decoder handle; copy before destroy.
    const uint8_t *icc;    // decompressed iCCP profile, or NULL
    size_t icc_len;
    const uint8_t *exif;   // eXIf payload (a TIFF stream), or NULL
    size_t exif_len;
} cpng_info;

typedef struct cpng_decoder cpng_decoder;

// `data` must stay valid and unchanged until cpng_decoder_destroy. The limits
// go to png_set_user_limits and png_set_chunk_malloc_max.
cpng_decoder *cpng_decoder_create(const uint8_t *data, size_t len,
                                  uint32_t max_width, uint32_t max_height,
                                  size_t max_chunk_bytes);
// Reads chunks up to the first IDAT. Allocates no pixel memory.
int32_t cpng_decoder_read_header(cpng_decoder *dec, cpng_info *info);
// Decodes to 8-bit interleaved RGB (channels 3) or RGBA (channels 4, only when
// info.has_alpha), or to 8-bit gray (channels 1, only for a gray image without
// transparency) into `out`, exactly width*height*channels bytes. 16-bit
// samples are scaled with rounding, palettes and low bit depths expanded,
// Adam7 de-interlaced.
//
// An 8-bit, non-interlaced image stored exactly as requested (gray as 1 channel, RGB as 3, RGBA as 4,
// no tRNS) is first tried directly: its IDAT data inflated by libdeflate in one call and its row
// filters undone here. Anything that path does not finish (a CRC, zlib or filter error, the wrong
// amount of data, IDATs not in one run) goes to libpng as before, whose result and error stand.
int32_t cpng_decoder_decode(cpng_decoder *dec, int32_t channels, uint8_t *out, size_t out_len);
// Allows (default) or forbids the direct path for this decoder; call before decode.
void cpng_decoder_set_direct(cpng_decoder *dec, int32_t allowed);
// Whether the decode took the direct path.
int32_t cpng_decoder_decoded_directly(const cpng_decoder *dec);
const char *cpng_decoder_message(const cpng_decoder *dec);
void cpng_decoder_destroy(cpng_decoder *dec);

// Encodes 8-bit interleaved rows with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4
// (RGBA) channels. On success *out is malloc'd; free it with cpng_free.
// filters: a mask of libpng's PNG_FILTER_NONE … PNG_FILTER_PAETH row filters
// the encoder may choose from (0 = libpng's default choice). icc (may be NULL) is written as the
// iCCP chunk.
enum { CPNG_FILTER_NONE = 0x08 };  // libpng's PNG_FILTER_NONE (checked in cpng_shim.c)
int32_t cpng_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                    int32_t channels, size_t stride, int32_t compression_level,
                    int32_t filters, const uint8_t *icc, size_t icc_len,
                    uint8_t **out, size_t *out_len, char *message, size_t message_len);
void cpng_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
