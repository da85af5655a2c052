// libavif's single-image encode path (avifEncoderWrite) behind status codes.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avif/avif.h>

#include "cavif_shim.h"

int32_t cavif_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                         int32_t quality, int32_t speed, int32_t threads,
                         const uint8_t *icc, size_t icc_len,
                         uint8_t **out, size_t *out_len, char *message, size_t message_len) {
    if (pixels == NULL || out == NULL || out_len == NULL || width == 0 || height == 0 || stride < (size_t)width * 3 ||
        stride > UINT32_MAX) {
        return CAVIF_ERR_BAD_ARGUMENT;
    }
    *out = NULL;
    *out_len = 0;
    int32_t status = CAVIF_ERR_ENCODE;
    avifImage *image = avifImageCreate(width, height, 8, AVIF_PIXEL_FORMAT_YUV420);
    avifEncoder *encoder = avifEncoderCreate();
    avifRWData output = AVIF_DATA_EMPTY;
    if (image == NULL || encoder == NULL) {
        status = CAVIF_ERR_NO_MEMORY;
        goto done;
    }
    image->colorPrimaries = AVIF_COLOR_PRIMARIES_BT709;
    image->transferCharacteristics = AVIF_TRANSFER_CHARACTERISTICS_SRGB;
    image->matrixCoefficients = AVIF_MATRIX_COEFFICIENTS_BT601;
    image->yuvRange = AVIF_RANGE_FULL;
    if (icc != NULL && icc_len > 0) avifImageSetProfileICC(image, icc, icc_len);

    avifRGBImage rgb;
    avifRGBImageSetDefaults(&rgb, image);
    rgb.format = AVIF_RGB_FORMAT_RGB;
    rgb.depth = 8;
    rgb.pixels = (uint8_t *)pixels;
    rgb.rowBytes = (uint32_t)stride;
    avifResult result = avifImageRGBToYUV(image, &rgb);
    if (result != AVIF_RESULT_OK) {
        snprintf(message, message_len, "RGB to YUV: %s", avifResultToString(result));
        goto done;
    }
    int q = quality < 1 ? 1 : quality > 100 ? 100 : quality;
    int quantizer = ((100 - q) * 63 + 50) / 100;
    encoder->minQuantizer = encoder->maxQuantizer = quantizer;
    encoder->minQuantizerAlpha = encoder->maxQuantizerAlpha = 0;
    encoder->speed = speed < 0 ? 0 : speed > 10 ? 10 : speed;
    encoder->maxThreads = threads < 1 ? 1 : threads;
    result = avifEncoderWrite(encoder, image, &output);
    if (result != AVIF_RESULT_OK) {
        snprintf(message, message_len, "%s%s%s", avifResultToString(result), encoder->diag.error[0] ? ": " : "",
                 encoder->diag.error);
        status = result == AVIF_RESULT_OUT_OF_MEMORY ? CAVIF_ERR_NO_MEMORY : CAVIF_ERR_ENCODE;
        goto done;
    }
    *out = malloc(output.size);
    if (*out == NULL) {
        status = CAVIF_ERR_NO_MEMORY;
        goto done;
    }
    memcpy(*out, output.data, output.size);
    *out_len = output.size;
    status = CAVIF_OK;
done:
    avifRWDataFree(&output);
    if (encoder) avifEncoderDestroy(encoder);
    if (image) avifImageDestroy(image);
    return status;
}

void cavif_free(void *p) { free(p); }

const char *cavif_encoder_name(void) {
    const char *name = avifCodecName(AVIF_CODEC_CHOICE_AUTO, AVIF_CODEC_FLAG_CAN_ENCODE);
    return name ? name : "none";
}
