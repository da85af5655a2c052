// libwebp behind plain status codes: WebPGetFeatures for the header, WebPDemux for the metadata
// chunks, WebPDecode*Into for the pixels, the advanced encoding API and WebPMux for the output.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "cwebp_shim.h"

static int32_t status_of(VP8StatusCode code) {
    switch (code) {
    case VP8_STATUS_OK: return CWEBP_OK;
    case VP8_STATUS_NOT_ENOUGH_DATA: return CWEBP_ERR_TRUNCATED;
    case VP8_STATUS_OUT_OF_MEMORY: return CWEBP_ERR_NO_MEMORY;
    case VP8_STATUS_UNSUPPORTED_FEATURE: return CWEBP_ERR_UNSUPPORTED;
    case VP8_STATUS_INVALID_PARAM: return CWEBP_ERR_BAD_ARGUMENT;
    default: return CWEBP_ERR_CORRUPT;
    }
}

int32_t cwebp_read_header(const uint8_t *data, size_t len, cwebp_info *info) {
    if (data == NULL || info == NULL) return CWEBP_ERR_BAD_ARGUMENT;
    memset(info, 0, sizeof *info);
    WebPBitstreamFeatures features;
    VP8StatusCode code = WebPGetFeatures(data, len, &features);
    if (code != VP8_STATUS_OK) return status_of(code);
    info->width = features.width;
    info->height = features.height;
    info->has_alpha = features.has_alpha;
    info->has_animation = features.has_animation;
    info->lossless = features.format;
    WebPData whole = {data, len};
    // WebPDemux only parses the chunk headers and points into `data`; a simple (VP8/VP8L) file has
    // no metadata chunks and demuxes to none.
    WebPDemuxer *demux = WebPDemux(&whole);
    if (demux != NULL) {
        WebPChunkIterator chunk;
        if (WebPDemuxGetChunk(demux, "ICCP", 1, &chunk)) {
            info->icc = chunk.chunk.bytes;
            info->icc_len = chunk.chunk.size;
            WebPDemuxReleaseChunkIterator(&chunk);
        }
        if (WebPDemuxGetChunk(demux, "EXIF", 1, &chunk)) {
            info->exif = chunk.chunk.bytes;
            info->exif_len = chunk.chunk.size;
            WebPDemuxReleaseChunkIterator(&chunk);
        }
        WebPDemuxDelete(demux);
    }
    return CWEBP_OK;
}

int32_t cwebp_decode(const uint8_t *data, size_t len, int32_t channels, uint8_t *out, size_t out_len) {
    if (data == NULL || out == NULL || (channels != 3 && channels != 4)) return CWEBP_ERR_BAD_ARGUMENT;
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) return CWEBP_ERR_BAD_ARGUMENT;
    VP8StatusCode code = WebPGetFeatures(data, len, &config.input);
    if (code != VP8_STATUS_OK) return status_of(code);
    if (config.input.has_animation) return CWEBP_ERR_UNSUPPORTED;
    size_t width = (size_t)config.input.width, height = (size_t)config.input.height;
    if (out_len != width * height * (size_t)channels) return CWEBP_ERR_BAD_ARGUMENT;
    config.output.colorspace = channels == 4 ? MODE_RGBA : MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = out;
    config.output.u.RGBA.stride = (int)(width * (size_t)channels);
    config.output.u.RGBA.size = out_len;
    code = WebPDecode(data, len, &config);
    WebPFreeDecBuffer(&config.output);
    return status_of(code);
}

static const char *encode_error_text(WebPEncodingError error) {
    switch (error) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY: return "out of memory";
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "out of memory for the bitstream";
    case VP8_ENC_ERROR_BAD_DIMENSION: return "the picture's size is over WebP's 16383-pixel limit";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW: return "partition 0 overflows (over 512 KiB)";
    case VP8_ENC_ERROR_PARTITION_OVERFLOW: return "a partition overflows (over 16 MiB)";
    default: return "the encoder failed";
    }
}

int32_t cwebp_encode_rgb(const uint8_t *pixels, int32_t width, int32_t height, size_t stride,
                         int32_t quality, int32_t lossless, int32_t method,
                         const uint8_t *icc, size_t icc_len,
                         uint8_t **out, size_t *out_len, char *message, size_t message_len) {
    if (pixels == NULL || out == NULL || out_len == NULL || width <= 0 || height <= 0) return CWEBP_ERR_BAD_ARGUMENT;
    *out = NULL;
    *out_len = 0;
    WebPConfig config;
    if (!WebPConfigPreset(&config, WEBP_PRESET_PHOTO, (float)quality)) return CWEBP_ERR_BAD_ARGUMENT;
    config.lossless = lossless ? 1 : 0;
    config.method = method < 0 ? 0 : method > 6 ? 6 : method;
    // A second thread for the lossy encoder's analysis and filtering passes (libwebp's own).
    config.thread_level = 1;
    if (!WebPValidateConfig(&config)) return CWEBP_ERR_BAD_ARGUMENT;

    WebPPicture picture;
    if (!WebPPictureInit(&picture)) return CWEBP_ERR_BAD_ARGUMENT;
    picture.width = width;
    picture.height = height;
    // Lossless keeps ARGB; lossy converts to YUV 4:2:0 on import.
    picture.use_argb = config.lossless;
    if (!WebPPictureImportRGB(&picture, pixels, (int)stride)) {
        WebPPictureFree(&picture);
        snprintf(message, message_len, "%s", "out of memory importing the picture");
        return CWEBP_ERR_NO_MEMORY;
    }
    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    picture.writer = WebPMemoryWrite;
    picture.custom_ptr = &writer;
    int ok = WebPEncode(&config, &picture);
    WebPEncodingError error = picture.error_code;
    WebPPictureFree(&picture);
    if (!ok) {
        WebPMemoryWriterClear(&writer);
        snprintf(message, message_len, "%s", encode_error_text(error));
        return error == VP8_ENC_ERROR_OUT_OF_MEMORY ? CWEBP_ERR_NO_MEMORY : CWEBP_ERR_ENCODE;
    }
    if (icc == NULL || icc_len == 0) {
        *out = writer.mem;
        *out_len = writer.size;
        return CWEBP_OK;
    }
    // The extended format (VP8X) with the profile in an ICCP chunk, which WebPEncode cannot write.
    WebPMux *mux = WebPMuxNew();
    WebPData image = {writer.mem, writer.size}, profile = {icc, icc_len}, assembled = {NULL, 0};
    int32_t status = CWEBP_ERR_ENCODE;
    if (mux != NULL && WebPMuxSetImage(mux, &image, 0) == WEBP_MUX_OK &&
        WebPMuxSetChunk(mux, "ICCP", &profile, 0) == WEBP_MUX_OK && WebPMuxAssemble(mux, &assembled) == WEBP_MUX_OK) {
        *out = (uint8_t *)assembled.bytes;
        *out_len = assembled.size;
        status = CWEBP_OK;
    } else {
        snprintf(message, message_len, "%s", "could not add the ICC profile (WebPMux)");
    }
    WebPMuxDelete(mux);
    WebPMemoryWriterClear(&writer);
    return status;
}

void cwebp_free(void *p) { WebPFree(p); }
