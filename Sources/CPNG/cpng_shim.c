// libpng behind setjmp/longjmp that never leaves this file.
//
// libpng's error callback must not return. Ours records the message and
// longjmps to the jmp_buf of the shim entry point currently running, which did
// setjmp before its first libpng call. State that must survive the jump lives
// in heap structs reached through a pointer not modified after setjmp.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <png.h>

#include "cpng_shim.h"

struct cpng_decoder {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t len;
    size_t pos;
    jmp_buf jump;
    int truncated;
    int header_read;
    int decoded;
    int has_alpha;
    int direct_allowed;    // cpng_decoder_set_direct; on by default
    int decoded_directly;  // the last decode took the libdeflate path
    png_bytep *rows;
    char message[256];
};

static void decoder_error(png_structp png, png_const_charp text) {
    cpng_decoder *dec = (cpng_decoder *)png_get_error_ptr(png);
    snprintf(dec->message, sizeof dec->message, "%s", text ? text : "libpng error");
    longjmp(dec->jump, 1);
}

// Warnings cover recoverable trouble (a bad ancillary CRC, an oversized text
// chunk dropped under the chunk limit); the pixels are still right.
static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void decoder_read(png_structp png, png_bytep out, size_t n) {
    cpng_decoder *dec = (cpng_decoder *)png_get_io_ptr(png);
    if (dec->len - dec->pos < n) {
        dec->truncated = 1;
        png_error(png, "unexpected end of PNG data");
    }
    memcpy(out, dec->data + dec->pos, n);
    dec->pos += n;
}

static int32_t failure(cpng_decoder *dec) {
    return dec->truncated ? CPNG_ERR_TRUNCATED : CPNG_ERR_LIBRARY;
}

cpng_decoder *cpng_decoder_create(const uint8_t *data, size_t len,
                                  uint32_t max_width, uint32_t max_height,
                                  size_t max_chunk_bytes) {
    if (data == NULL || len == 0) return NULL;
    cpng_decoder *dec = calloc(1, sizeof *dec);
    if (dec == NULL) return NULL;
    dec->data = data;
    dec->len = len;
    dec->direct_allowed = 1;
    dec->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, dec, decoder_error, ignore_warning);
    if (dec->png == NULL) { free(dec); return NULL; }
    if (setjmp(dec->jump)) {
        png_destroy_read_struct(&dec->png, &dec->info, NULL);
        free(dec);
        return NULL;
    }
    dec->info = png_create_info_struct(dec->png);
    if (dec->info == NULL) png_error(dec->png, "no memory for info struct");
    png_set_read_fn(dec->png, dec, decoder_read);
    png_set_user_limits(dec->png, max_width, max_height);
    if (max_chunk_bytes > 0) png_set_chunk_malloc_max(dec->png, max_chunk_bytes);
    // Bounds how many ancillary chunks (text, sPLT, unknown) are kept: a file
    // of a million tiny tEXt chunks must not grow a list of a million entries.
    png_set_chunk_cache_max(dec->png, 128);
    return dec;
}

int32_t cpng_decoder_read_header(cpng_decoder *dec, cpng_info *info) {
    if (dec == NULL || info == NULL || dec->header_read) return CPNG_ERR_BAD_ARGUMENT;
    memset(info, 0, sizeof *info);
    if (setjmp(dec->jump)) return failure(dec);
    png_structp png = dec->png;
    png_infop pi = dec->info;
    png_read_info(png, pi);
    dec->header_read = 1;
    png_uint_32 w = 0, h = 0;
    int depth = 0, type = 0, interlace = 0;
    png_get_IHDR(png, pi, &w, &h, &depth, &type, &interlace, NULL, NULL);
    info->width = w;
    info->height = h;
    info->bit_depth = depth;
    info->color_type = type;
    info->interlaced = interlace != PNG_INTERLACE_NONE;
    dec->has_alpha = (type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, pi, PNG_INFO_tRNS);
    info->has_alpha = dec->has_alpha;

    png_charp name = NULL;
    int compression = 0;
    png_bytep profile = NULL;
    png_uint_32 profile_len = 0;
    if (png_get_iCCP(png, pi, &name, &compression, &profile, &profile_len) && profile_len > 0) {
        info->icc = profile;
        info->icc_len = profile_len;
    }
    png_uint_32 exif_len = 0;
    png_bytep exif = NULL;
    if (png_get_eXIf_1(png, pi, &exif_len, &exif) && exif_len > 0) {
        info->exif = exif;
        info->exif_len = exif_len;
    }
    return CPNG_OK;
}

// MARK: - The direct path: libdeflate instead of libpng's zlib stream

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c) {
    const int p = (int)a + (int)b - (int)c;
    const int pa = abs(p - (int)a), pb = abs(p - (int)b), pc = abs(p - (int)c);
    return (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
}

// Undoes one row's filter (PNG spec, section 9) from `in` (stride bytes after the filter byte) into
// `row`, with `prior` the previous output row or NULL for the first. `bpp` bytes per pixel. The
// buffers never overlap (restrict): None and Up, the filters of most label-map rows, vectorise.
static int unfilter_row(uint8_t filter, const uint8_t *restrict in, uint8_t *restrict row,
                        const uint8_t *restrict prior, size_t stride, size_t bpp) {
    switch (filter) {
    case 0:
        memcpy(row, in, stride);
        return 1;
    case 1:
        memcpy(row, in, bpp < stride ? bpp : stride);
        for (size_t i = bpp; i < stride; i++) row[i] = (uint8_t)(in[i] + row[i - bpp]);
        return 1;
    case 2:
        if (prior == NULL) memcpy(row, in, stride);
        else for (size_t i = 0; i < stride; i++) row[i] = (uint8_t)(in[i] + prior[i]);
        return 1;
    case 3:
        for (size_t i = 0; i < stride; i++) {
            const unsigned left = i >= bpp ? row[i - bpp] : 0, up = prior ? prior[i] : 0;
            row[i] = (uint8_t)(in[i] + ((left + up) >> 1));
        }
        return 1;
    case 4:
        for (size_t i = 0; i < stride; i++) {
            const uint8_t left = i >= bpp ? row[i - bpp] : 0, up = prior ? prior[i] : 0;
            const uint8_t upLeft = (prior && i >= bpp) ? prior[i - bpp] : 0;
            row[i] = (uint8_t)(in[i] + paeth(left, up, upLeft));
        }
        return 1;
    default:
        return 0;
    }
}

// Decodes an 8-bit, non-interlaced image whose stored samples are exactly the requested layout by
// inflating all of its IDAT data with libdeflate in one call, then undoing the row filters.
// Why: zlib inflates a label map's long runs byte by byte, ~35 ms for a 12 MP map whose PNG is
// 12 kB; libdeflate takes ~1 ms. It returns 0 — and changes nothing libpng relies on — for
// anything it does not take the whole way (a CRC, zlib or filter error, IDAT data of the wrong
// length, split IDAT runs, no memory): libpng then decodes the file as before, so every error
// still comes from libpng, with its message.
static int decode_directly(const cpng_decoder *dec, uint8_t *out, size_t stride, size_t height, size_t bpp) {
    const uint8_t *data = dec->data;
    const size_t len = dec->len;
    size_t pos = 8, idat_bytes = 0, idat_chunks = 0;
    const uint8_t *first = NULL;
    int in_run = 0, run_ended = 0;
    // Pass 1: find the IDAT run and check its chunks' CRCs (libpng errors on a critical CRC).
    while (len - pos >= 12) {
        const size_t n = be32(data + pos);
        if (n > len - pos - 12) return 0;
        const uint8_t *type = data + pos + 4;
        if (memcmp(type, "IDAT", 4) == 0) {
            if (run_ended) return 0;
            if (libdeflate_crc32(0, type, n + 4) != be32(data + pos + 8 + n)) return 0;
            if (first == NULL) first = data + pos + 8;
            in_run = 1;
            idat_bytes += n;
            idat_chunks++;
        } else if (in_run) {
            run_ended = 1;
        }
        if (memcmp(type, "IEND", 4) == 0) break;
        pos += 12 + n;
    }
    if (idat_chunks == 0) return 0;
    // One IDAT is inflated in place; several are joined first (the file's own size bounds them).
    uint8_t *joined = NULL;
    const uint8_t *stream = first;
    if (idat_chunks > 1) {
        joined = malloc(idat_bytes);
        if (joined == NULL) return 0;
        size_t at = 0;
        for (size_t p = (size_t)(first - 8 - data); at < idat_bytes;) {
            const size_t n = be32(data + p);
            memcpy(joined + at, data + p + 8, n);
            at += n;
            p += 12 + n;
        }
        stream = joined;
    }
    const size_t filtered_bytes = height * (stride + 1);
    uint8_t *filtered = malloc(filtered_bytes);
    struct libdeflate_decompressor *inflater = libdeflate_alloc_decompressor();
    int ok = filtered != NULL && inflater != NULL &&
             // NULL for the actual size: only a stream of exactly the image's bytes succeeds.
             libdeflate_zlib_decompress(inflater, stream, idat_bytes, filtered, filtered_bytes, NULL) ==
                 LIBDEFLATE_SUCCESS;
    for (size_t y = 0; ok && y < height; y++) {
        const uint8_t *in = filtered + y * (stride + 1);
        ok = unfilter_row(in[0], in + 1, out + y * stride, y > 0 ? out + (y - 1) * stride : NULL, stride, bpp);
    }
    libdeflate_free_decompressor(inflater);
    free(filtered);
    free(joined);
    return ok;
}

int32_t cpng_decoder_decode(cpng_decoder *dec, int32_t channels, uint8_t *out, size_t out_len) {
    if (dec == NULL || out == NULL || !dec->header_read || dec->decoded) return CPNG_ERR_BAD_ARGUMENT;
    const int gray_only = png_get_color_type(dec->png, dec->info) == PNG_COLOR_TYPE_GRAY && !dec->has_alpha;
    if (channels != (dec->has_alpha ? 4 : 3) && !(channels == 1 && gray_only)) return CPNG_ERR_BAD_ARGUMENT;
    png_structp png = dec->png;
    png_infop pi = dec->info;
    const size_t width = png_get_image_width(png, pi);
    const size_t height = png_get_image_height(png, pi);
    const size_t stride = width * (size_t)channels;
    if (width == 0 || height == 0 || out_len % stride != 0 || out_len / stride != height)
        return CPNG_ERR_BAD_ARGUMENT;
    const int stored_type = png_get_color_type(png, pi);
    const int stored_channels = stored_type == PNG_COLOR_TYPE_GRAY ? 1
                              : stored_type == PNG_COLOR_TYPE_RGB ? 3
                              : stored_type == PNG_COLOR_TYPE_RGB_ALPHA ? 4 : 0;
    dec->decoded_directly = 0;
    if (dec->direct_allowed && png_get_bit_depth(png, pi) == 8 && png_get_interlace_type(png, pi) == PNG_INTERLACE_NONE &&
        !png_get_valid(png, pi, PNG_INFO_tRNS) && stored_channels == channels &&
        decode_directly(dec, out, stride, height, (size_t)channels)) {
        dec->decoded = 1;
        dec->decoded_directly = 1;
        return CPNG_OK;
    }
    dec->rows = malloc(height * sizeof(png_bytep));
    if (dec->rows == NULL) return CPNG_ERR_NO_MEMORY;
    for (size_t y = 0; y < height; y++) dec->rows[y] = out + y * stride;
    if (setjmp(dec->jump)) return failure(dec);
    dec->decoded = 1;
    const int type = png_get_color_type(png, pi);
    png_set_expand(png);  // palette -> RGB, gray < 8 bit -> 8 bit, tRNS -> alpha
    if (png_get_bit_depth(png, pi) == 16) png_set_scale_16(png);  // rounds; strip_16 would truncate
    if (!(type & PNG_COLOR_MASK_COLOR) && channels != 1) png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, pi);
    if (png_get_rowbytes(png, pi) != stride || png_get_channels(png, pi) != channels)
        png_error(png, "unexpected row layout after transformations");
    png_read_image(png, dec->rows);
    // png_read_end is skipped on purpose: every pixel is in, and trailing
    // chunks (or a missing IEND) cannot change them.
    return CPNG_OK;
}

void cpng_decoder_set_direct(cpng_decoder *dec, int32_t allowed) {
    if (dec != NULL) dec->direct_allowed = allowed != 0;
}

int32_t cpng_decoder_decoded_directly(const cpng_decoder *dec) {
    return dec != NULL && dec->decoded_directly;
}

const char *cpng_decoder_message(const cpng_decoder *dec) {
    return dec != NULL ? dec->message : "";
}

void cpng_decoder_destroy(cpng_decoder *dec) {
    if (dec == NULL) return;
    png_destroy_read_struct(&dec->png, &dec->info, NULL);
    free(dec->rows);
    free(dec);
}

// MARK: - Encoding

typedef struct {
    png_structp png;
    png_infop info;
    jmp_buf jump;
    uint8_t *buf;
    size_t len;
    size_t cap;
    char *message;
    size_t message_len;
} enc_ctx;

static void encoder_error(png_structp png, png_const_charp text) {
    enc_ctx *ctx = (enc_ctx *)png_get_error_ptr(png);
    if (ctx->message != NULL && ctx->message_len > 0)
        snprintf(ctx->message, ctx->message_len, "%s", text ? text : "libpng error");
    longjmp(ctx->jump, 1);
}

static void encoder_write(png_structp png, png_bytep data, size_t n) {
    enc_ctx *ctx = (enc_ctx *)png_get_io_ptr(png);
    if (ctx->cap - ctx->len < n) {
        size_t cap = ctx->cap ? ctx->cap : 4096;
        while (cap - ctx->len < n) {
            if (cap > SIZE_MAX / 2) png_error(png, "PNG output too large");
            cap *= 2;
        }
        uint8_t *grown = realloc(ctx->buf, cap);
        if (grown == NULL) png_error(png, "out of memory growing PNG output");
        ctx->buf = grown;
        ctx->cap = cap;
    }
    memcpy(ctx->buf + ctx->len, data, n);
    ctx->len += n;
}

static void encoder_flush(png_structp png) { (void)png; }

_Static_assert(CPNG_FILTER_NONE == PNG_FILTER_NONE, "CPNG_FILTER_NONE must be libpng's PNG_FILTER_NONE");

int32_t cpng_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                    int32_t channels, size_t stride, int32_t compression_level,
                    int32_t filters, const uint8_t *icc, size_t icc_len,
                    uint8_t **out, size_t *out_len, char *message, size_t message_len) {
    if (message != NULL && message_len > 0) message[0] = 0;
    if (pixels == NULL || out == NULL || out_len == NULL || width == 0 || height == 0 ||
        width > PNG_UINT_31_MAX || height > PNG_UINT_31_MAX ||
        channels < 1 || channels > 4 || stride < (size_t)width * (size_t)channels ||
        compression_level < 0 || compression_level > 9 || (filters & ~PNG_ALL_FILTERS) != 0) {
        if (message != NULL && message_len > 0)
            snprintf(message, message_len, "invalid encoder arguments");
        return CPNG_ERR_BAD_ARGUMENT;
    }
    *out = NULL;
    *out_len = 0;
    enc_ctx *const ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return CPNG_ERR_NO_MEMORY;
    ctx->message = message;
    ctx->message_len = message_len;
    ctx->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, encoder_error, ignore_warning);
    if (ctx->png == NULL) { free(ctx); return CPNG_ERR_NO_MEMORY; }
    if (setjmp(ctx->jump)) {
        png_destroy_write_struct(&ctx->png, &ctx->info);
        free(ctx->buf);
        free(ctx);
        return CPNG_ERR_LIBRARY;
    }
    ctx->info = png_create_info_struct(ctx->png);
    if (ctx->info == NULL) png_error(ctx->png, "no memory for info struct");
    png_set_write_fn(ctx->png, ctx, encoder_write, encoder_flush);
    static const int types[5] = { 0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                  PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA };
    png_set_IHDR(ctx->png, ctx->info, width, height, 8, types[channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(ctx->png, compression_level);
    if (filters != 0) png_set_filter(ctx->png, PNG_FILTER_TYPE_BASE, filters);
    if (icc != NULL && icc_len > 0 && icc_len <= PNG_UINT_31_MAX)
        png_set_iCCP(ctx->png, ctx->info, "ICC profile", PNG_COMPRESSION_TYPE_BASE, icc, (png_uint_32)icc_len);
    png_write_info(ctx->png, ctx->info);
    for (uint32_t y = 0; y < height; y++)
        png_write_row(ctx->png, (png_const_bytep)(pixels + (size_t)y * stride));
    png_write_end(ctx->png, NULL);
    png_destroy_write_struct(&ctx->png, &ctx->info);
    *out = ctx->buf;
    *out_len = ctx->len;
    free(ctx);
    return CPNG_OK;
}

void cpng_free(void *p) { free(p); }
