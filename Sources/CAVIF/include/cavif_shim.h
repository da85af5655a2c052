// A narrow C surface over libavif's encoder (AV1 through the codec libavif chooses, aom on Debian).
// Decoding AVIF goes through libheif (CHEIF), like HEIC.
#ifndef CAVIF_SHIM_H
#define CAVIF_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CAVIF_OK = 0,
    CAVIF_ERR_ENCODE = 1,        // libavif or the AV1 encoder failed; message() says why
    CAVIF_ERR_NO_MEMORY = 2,
    CAVIF_ERR_BAD_ARGUMENT = 3
} cavif_status;

// Encodes 8-bit interleaved RGB rows (`stride` bytes apart) as a still AVIF: YUV 4:2:0, BT.601
// matrix, full range, sRGB primaries and transfer in its nclx box, the ICC profile (when given) in
// a colr/prof box. `quality` 1-100 maps to the AV1 quantizer as libavif 1.x's does
// ((100 - q) * 63 / 100, rounded); `speed` 0 (slowest) to 10 (fastest); `threads` the encoder's.
// On success *out is malloc'd: free it with cavif_free.
int32_t cavif_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                         int32_t quality, int32_t speed, int32_t threads,
                         const uint8_t *icc, size_t icc_len,
                         uint8_t **out, size_t *out_len, char *message, size_t message_len);
void cavif_free(void *p);
// The AV1 encoder libavif uses ("aom", "rav1e", "svt"), for logs and benchmarks.
const char *cavif_encoder_name(void);

#ifdef __cplusplus
}
#endif
#endif
