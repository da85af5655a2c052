// A narrow C surface over libwebp (decode, encode) and its demux/mux helpers (the ICCP and EXIF
// chunks of the extended format). libwebp reports errors by status codes, so the shim only gathers
// what Swift needs into plain structs.
#ifndef CWEBP_SHIM_H
#define CWEBP_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CWEBP_OK = 0,
    CWEBP_ERR_CORRUPT = 1,      // the bitstream is invalid (VP8_STATUS_BITSTREAM_ERROR and the like)
    CWEBP_ERR_TRUNCATED = 2,    // the data ends before the image does (VP8_STATUS_NOT_ENOUGH_DATA)
    CWEBP_ERR_UNSUPPORTED = 3,  // a feature this decoder refuses (an animation)
    CWEBP_ERR_NO_MEMORY = 4,
    CWEBP_ERR_BAD_ARGUMENT = 5, // the caller broke the shim's contract
    CWEBP_ERR_ENCODE = 6        // the encoder failed; message() says why
} cwebp_status;

typedef struct {
    int32_t width;
    int32_t height;
    int32_t has_alpha;
    int32_t has_animation;
    int32_t lossless;     // VP8L bitstream (1), lossy VP8 (0), or mixed/unknown (2)
    // Both point into the caller's data; valid while it is.
    const uint8_t *icc;   // the ICCP chunk, or NULL
    size_t icc_len;
    const uint8_t *exif;  // the EXIF chunk (a TIFF stream, possibly behind "Exif\0\0"), or NULL
    size_t exif_len;
} cwebp_info;

// Reads the headers (RIFF, VP8X, the first frame's header) and the metadata chunks. Allocates no
// pixel memory.
int32_t cwebp_read_header(const uint8_t *data, size_t len, cwebp_info *info);

// Decodes to 8-bit interleaved RGB (channels 3) or straight (unpremultiplied) RGBA (channels 4)
// into `out`, exactly width * height * channels bytes.
int32_t cwebp_decode(const uint8_t *data, size_t len, int32_t channels, uint8_t *out, size_t out_len);

// Encodes 8-bit interleaved RGB rows (`stride` bytes apart): lossy at `quality` (0-100) or lossless
// (`quality` then sets the effort), with `method` 0 (fastest) to 6 (smallest), optionally with an
// ICC profile in an ICCP chunk. On success *out is malloc'd: free it with cwebp_free. `message`
// gets the reason on failure.
int32_t cwebp_encode_rgb(const uint8_t *pixels, int32_t width, int32_t height, size_t stride,
                         int32_t quality, int32_t lossless, int32_t method,
                         const uint8_t *icc, size_t icc_len,
                         uint8_t **out, size_t *out_len, char *message, size_t message_len);
void cwebp_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
