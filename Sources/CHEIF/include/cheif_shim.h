// A narrow C surface over libheif's decoder, for HEIC/HEIF (HEVC through libde265) and AVIF (AV1
// through dav1d or aom). libheif returns heif_error structs; the shim turns them into status
// codes and keeps the message. The primary image is decoded with its transformations (irot,
// imir, clap) applied, as HEIF requires; EXIF's orientation is not applied on top of them.
#ifndef CHEIF_SHIM_H
#define CHEIF_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CHEIF_OK = 0,
    CHEIF_ERR_CORRUPT = 1,      // heif_error_Invalid_input: damaged or not HEIF; message() says which
    CHEIF_ERR_UNSUPPORTED = 2,  // an unsupported file type, feature or codec
    CHEIF_ERR_NO_MEMORY = 3,
    CHEIF_ERR_DECODER = 4,      // the HEVC/AV1 decoder failed on the bitstream
    CHEIF_ERR_BAD_ARGUMENT = 5, // the caller broke the shim's contract
    CHEIF_ERR_TRUNCATED = 6,    // the data ends inside a box (heif_suberror_End_of_data)
    CHEIF_ERR_SIZE_LIMIT = 7    // libheif's own security limits (a side over 32768, too many tiles…)
} cheif_status;

typedef struct {
    int32_t width;            // the primary image after its transformations
    int32_t height;
    int32_t coded_width;      // its ispe box: what the codec will allocate
    int32_t coded_height;
    int32_t has_alpha;
    int32_t premultiplied_alpha;
    int32_t bit_depth;        // luma bits per pixel (8, 10, 12)
    int32_t has_nclx;         // a colr/nclx box: the fields below hold its code points (ISO 23091-2)
    int32_t nclx_primaries;
    int32_t nclx_transfer;
    int32_t nclx_matrix;
    int32_t nclx_full_range;
    float nclx_primaries_xy[8]; // red x, y, green x, y, blue x, y, white x, y, as libheif decodes the primaries
    // Owned by the decoder handle; copy before destroy.
    const uint8_t *icc;       // a colr/prof or rICC profile, or NULL
    size_t icc_len;
} cheif_info;

typedef struct cheif_decoder cheif_decoder;

// `data` must stay valid and unchanged until cheif_decoder_destroy. libheif's compiled-in
// security limits apply (sides up to 32768); the caller checks its own limits on the header.
cheif_decoder *cheif_decoder_create(const uint8_t *data, size_t len);
// Parses the boxes and reads the primary image's properties. Allocates no pixel memory.
int32_t cheif_decoder_read_header(cheif_decoder *dec, cheif_info *info);
// Decodes the primary image to 8-bit interleaved RGB (channels 3) or straight RGBA (channels 4),
// exactly width * height * channels bytes; deeper samples are reduced with rounding.
int32_t cheif_decoder_decode(cheif_decoder *dec, int32_t channels, uint8_t *out, size_t out_len);
const char *cheif_decoder_message(const cheif_decoder *dec);
void cheif_decoder_destroy(cheif_decoder *dec);

#ifdef __cplusplus
}
#endif
#endif
