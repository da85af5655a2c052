// libheif behind status codes. libheif keeps no global error state and never longjmps: each call
// returns a heif_error, whose message is copied into the handle (its text is static or owned by
// the context).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libheif/heif.h>

#include "cheif_shim.h"

struct cheif_decoder {
    struct heif_context *context;
    struct heif_image_handle *handle;
    uint8_t *icc;
    size_t icc_len;
    int32_t open_status;
    int header_read;
    int has_alpha;
    int32_t width, height;
    char message[256];
};

static int32_t fail(cheif_decoder *dec, struct heif_error error) {
    snprintf(dec->message, sizeof dec->message, "%s", error.message ? error.message : "libheif error");
    if (error.subcode == heif_suberror_Security_limit_exceeded) return CHEIF_ERR_SIZE_LIMIT;
    switch (error.code) {
    case heif_error_Ok: return CHEIF_OK;
    case heif_error_Memory_allocation_error: return CHEIF_ERR_NO_MEMORY;
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
    case heif_error_Plugin_loading_error: return CHEIF_ERR_UNSUPPORTED;
    case heif_error_Decoder_plugin_error: return CHEIF_ERR_DECODER;
    case heif_error_Usage_error: return CHEIF_ERR_BAD_ARGUMENT;
    default: return error.subcode == heif_suberror_End_of_data ? CHEIF_ERR_TRUNCATED : CHEIF_ERR_CORRUPT;
    }
}

cheif_decoder *cheif_decoder_create(const uint8_t *data, size_t len) {
    if (data == NULL || len == 0 || len > (size_t)INT32_MAX) return NULL;
    cheif_decoder *dec = calloc(1, sizeof *dec);
    if (dec == NULL) return NULL;
    dec->context = heif_context_alloc();
    if (dec->context == NULL) { free(dec); return NULL; }
    // Tiles (a grid image's parts) decoded on the calling thread: the service runs one decode per
    // worker and sizes its worker pool to the cores.
    heif_context_set_max_decoding_threads(dec->context, 0);
    struct heif_error error = heif_context_read_from_memory_without_copy(dec->context, data, len, NULL);
    // Kept for read_header, which reports it with the message.
    if (error.code != heif_error_Ok) dec->open_status = fail(dec, error);
    return dec;
}

int32_t cheif_decoder_read_header(cheif_decoder *dec, cheif_info *info) {
    if (dec == NULL || info == NULL) return CHEIF_ERR_BAD_ARGUMENT;
    memset(info, 0, sizeof *info);
    if (dec->open_status != CHEIF_OK) return dec->open_status;
    struct heif_error error = heif_context_get_primary_image_handle(dec->context, &dec->handle);
    if (error.code != heif_error_Ok) return fail(dec, error);
    info->width = dec->width = heif_image_handle_get_width(dec->handle);
    info->height = dec->height = heif_image_handle_get_height(dec->handle);
    info->coded_width = heif_image_handle_get_ispe_width(dec->handle);
    info->coded_height = heif_image_handle_get_ispe_height(dec->handle);
    info->has_alpha = dec->has_alpha = heif_image_handle_has_alpha_channel(dec->handle);
    info->premultiplied_alpha = heif_image_handle_is_premultiplied_alpha(dec->handle);
    info->bit_depth = heif_image_handle_get_luma_bits_per_pixel(dec->handle);

    enum heif_color_profile_type type = heif_image_handle_get_color_profile_type(dec->handle);
    if (type == heif_color_profile_type_prof || type == heif_color_profile_type_rICC) {
        size_t size = heif_image_handle_get_raw_color_profile_size(dec->handle);
        if (size > 0 && size <= (64u << 20)) {
            dec->icc = malloc(size);
            if (dec->icc == NULL) return CHEIF_ERR_NO_MEMORY;
            error = heif_image_handle_get_raw_color_profile(dec->handle, dec->icc);
            if (error.code == heif_error_Ok) {
                dec->icc_len = size;
            } else {
                free(dec->icc);
                dec->icc = NULL;
            }
        }
    }
    struct heif_color_profile_nclx *nclx = NULL;
    error = heif_image_handle_get_nclx_color_profile(dec->handle, &nclx);
    if (error.code == heif_error_Ok && nclx != NULL) {
        info->has_nclx = 1;
        info->nclx_primaries = nclx->color_primaries;
        info->nclx_transfer = nclx->transfer_characteristics;
        info->nclx_matrix = nclx->matrix_coefficients;
        info->nclx_full_range = nclx->full_range_flag;
        const float xy[8] = {nclx->color_primary_red_x, nclx->color_primary_red_y, nclx->color_primary_green_x,
                             nclx->color_primary_green_y, nclx->color_primary_blue_x, nclx->color_primary_blue_y,
                             nclx->color_primary_white_x, nclx->color_primary_white_y};
        memcpy(info->nclx_primaries_xy, xy, sizeof xy);
        heif_nclx_color_profile_free(nclx);
    }
    info->icc = dec->icc;
    info->icc_len = dec->icc_len;
    dec->header_read = 1;
    return CHEIF_OK;
}

int32_t cheif_decoder_decode(cheif_decoder *dec, int32_t channels, uint8_t *out, size_t out_len) {
    if (dec == NULL || out == NULL || dec->header_read != 1 || (channels != 3 && channels != 4)) return CHEIF_ERR_BAD_ARGUMENT;
    if (channels == 4 && !dec->has_alpha) return CHEIF_ERR_BAD_ARGUMENT;
    if (out_len != (size_t)dec->width * (size_t)dec->height * (size_t)channels) return CHEIF_ERR_BAD_ARGUMENT;
    struct heif_decoding_options *options = heif_decoding_options_alloc();
    if (options == NULL) return CHEIF_ERR_NO_MEMORY;
    // 10- and 12-bit images reduced to 8 bits by libheif's colour conversion (rounded).
    options->convert_hdr_to_8bit = 1;
    struct heif_image *image = NULL;
    struct heif_error error = heif_decode_image(dec->handle, &image, heif_colorspace_RGB,
                                                channels == 4 ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, options);
    heif_decoding_options_free(options);
    if (error.code != heif_error_Ok) return fail(dec, error);
    int32_t status = CHEIF_OK;
    int stride = 0;
    const uint8_t *plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride);
    int width = heif_image_get_width(image, heif_channel_interleaved);
    int height = heif_image_get_height(image, heif_channel_interleaved);
    if (plane == NULL || width != dec->width || height != dec->height ||
        heif_image_get_bits_per_pixel_range(image, heif_channel_interleaved) != 8) {
        snprintf(dec->message, sizeof dec->message, "the decoded image is %dx%d, not the declared %dx%d at 8 bits",
                 width, height, dec->width, dec->height);
        status = CHEIF_ERR_CORRUPT;
    } else {
        size_t row = (size_t)width * (size_t)channels;
        for (int y = 0; y < height; y++) memcpy(out + (size_t)y * row, plane + (size_t)y * (size_t)stride, row);
    }
    heif_image_release(image);
    return status;
}

const char *cheif_decoder_message(const cheif_decoder *dec) { return dec ? dec->message : ""; }

void cheif_decoder_destroy(cheif_decoder *dec) {
    if (dec == NULL) return;
    if (dec->handle) heif_image_handle_release(dec->handle);
    if (dec->context) heif_context_free(dec->context);
    free(dec->icc);
    free(dec);
}
