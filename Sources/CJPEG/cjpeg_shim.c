// libjpeg-turbo behind setjmp/longjmp that never leaves this file.
//
// Every exported function that calls into libjpeg does its own setjmp before
// the first call, so a longjmp from error_exit, from a warning we treat as
// fatal, or from the progress monitor always lands in a C frame of this file.
// State that must survive the jump lives in heap structs reached through a
// pointer that is not modified after setjmp, so it is never indeterminate.
#include <stdio.h>  // jpeglib.h needs FILE and size_t first
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "cjpeg_shim.h"

struct cjpeg_decoder {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr err;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    int32_t status;          // what the pending longjmp means
    int32_t max_scans;
    int created;             // jpeg_create_decompress succeeded
    int header_read;
    int decoded;
    JOCTET *icc;             // malloc'd by jpeg_read_icc_profile
    unsigned int icc_len;
    uint8_t *row;            // CMYK scanline, freed by destroy
    char message[JMSG_LENGTH_MAX + 96];
};

static void set_message(char *dst, size_t cap, const char *text) {
    if (cap == 0) return;
    snprintf(dst, cap, "%s", text);
}

// Map libjpeg's message codes onto the few outcomes Swift distinguishes.
static int32_t status_for_error(int code) {
    switch (code) {
    case JERR_EMPTY_IMAGE: return CJPEG_ERR_EMPTY_IMAGE;
    case JERR_IMAGE_TOO_BIG: return CJPEG_ERR_TOO_BIG;
    case JERR_NO_BACKING_STORE:
    case JERR_OUT_OF_MEMORY: return CJPEG_ERR_MEMORY_LIMIT;
    default: return CJPEG_ERR_LIBRARY;
    }
}

static void decoder_error_exit(j_common_ptr cinfo) {
    cjpeg_decoder *dec = (cjpeg_decoder *)cinfo->client_data;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    set_message(dec->message, sizeof dec->message, text);
    dec->status = status_for_error(cinfo->err->msg_code);
    longjmp(dec->jump, 1);
}

// libjpeg only warns about damaged entropy data and pads the image with grey.
// A service must not return a half-grey photo as success, so the warnings that
// mean "the pixels are wrong" become errors; benign ones (extra bytes before a
// marker, unknown JFIF revision, a bad ICC chunk) are ignored.
static void decoder_emit_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level >= 0) return;  // trace messages
    cjpeg_decoder *dec = (cjpeg_decoder *)cinfo->client_data;
    int code = cinfo->err->msg_code;
    int32_t status;
    switch (code) {
    case JWRN_JPEG_EOF: status = CJPEG_ERR_TRUNCATED; break;
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION: status = CJPEG_ERR_CORRUPT; break;
    default:
        cinfo->err->num_warnings++;
        return;
    }
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    set_message(dec->message, sizeof dec->message, text);
    dec->status = status;
    longjmp(dec->jump, 1);
}

// A progressive file may carry thousands of tiny scans, each costing a full
// pass over the coefficient buffer (the libjpeg-turbo "scan bomb"). Cap them.
static void decoder_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    cjpeg_decoder *dec = (cjpeg_decoder *)cinfo->client_data;
    if (d->progressive_mode && d->input_scan_number > dec->max_scans) {
        snprintf(dec->message, sizeof dec->message,
                 "progressive JPEG has more than %d scans", (int)dec->max_scans);
        dec->status = CJPEG_ERR_TOO_MANY_SCANS;
        longjmp(dec->jump, 1);
    }
}

cjpeg_decoder *cjpeg_decoder_create(const uint8_t *data, size_t len,
                                    int32_t max_scans, size_t max_memory) {
    if (data == NULL || len == 0) return NULL;
    cjpeg_decoder *dec = calloc(1, sizeof *dec);
    if (dec == NULL) return NULL;
    dec->max_scans = max_scans > 0 ? max_scans : 1;
    dec->cinfo.err = jpeg_std_error(&dec->err);
    dec->err.error_exit = decoder_error_exit;
    dec->err.emit_message = decoder_emit_message;
    dec->cinfo.client_data = dec;
    if (setjmp(dec->jump)) {
        if (dec->created) jpeg_destroy_decompress(&dec->cinfo);
        free(dec);
        return NULL;
    }
    jpeg_create_decompress(&dec->cinfo);
    dec->created = 1;
    if (max_memory > 0) dec->cinfo.mem->max_memory_to_use = (long)max_memory;
    dec->progress.progress_monitor = decoder_progress;
    dec->cinfo.progress = &dec->progress;
    jpeg_mem_src(&dec->cinfo, data, (unsigned long)len);
    return dec;
}

int32_t cjpeg_decoder_read_header(cjpeg_decoder *dec, cjpeg_info *info) {
    if (dec == NULL || info == NULL || dec->header_read) return CJPEG_ERR_BAD_ARGUMENT;
    memset(info, 0, sizeof *info);
    if (setjmp(dec->jump)) {
        info->width = dec->cinfo.image_width;  // as far as SOF got
        info->height = dec->cinfo.image_height;
        return dec->status;
    }
    struct jpeg_decompress_struct *c = &dec->cinfo;
    jpeg_save_markers(c, JPEG_APP0 + 1, 0xFFFF);  // EXIF
    jpeg_save_markers(c, JPEG_APP0 + 2, 0xFFFF);  // ICC chunks
    jpeg_read_header(c, TRUE);
    dec->header_read = 1;

    info->width = c->image_width;
    info->height = c->image_height;
    info->num_components = c->num_components;
    info->progressive = c->progressive_mode ? 1 : 0;
    info->adobe_marker = c->saw_Adobe_marker ? 1 : 0;
    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE: info->color_space = CJPEG_CS_GRAY; break;
    case JCS_RGB: info->color_space = CJPEG_CS_RGB; break;
    case JCS_YCbCr: info->color_space = CJPEG_CS_YCBCR; break;
    case JCS_CMYK: info->color_space = CJPEG_CS_CMYK; break;
    case JCS_YCCK: info->color_space = CJPEG_CS_YCCK; break;
    default: info->color_space = CJPEG_CS_UNKNOWN; break;
    }
    for (jpeg_saved_marker_ptr m = c->marker_list; m != NULL; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0) {
            info->exif = m->data + 6;
            info->exif_len = m->data_length - 6;
            break;
        }
    }
    // A malformed ICC chunk sequence only warns (JWRN_BOGUS_ICC, ignored above)
    // and returns FALSE: the photo is still usable, just without its profile.
    if (jpeg_read_icc_profile(c, &dec->icc, &dec->icc_len) && dec->icc != NULL) {
        info->icc = dec->icc;
        info->icc_len = dec->icc_len;
    }
    return CJPEG_OK;
}

// Pillow's MULDIV255: a*b/255 rounded, in integers.
static inline unsigned muldiv255(unsigned a, unsigned b) {
    unsigned t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

int32_t cjpeg_decoder_decode_rgb(cjpeg_decoder *dec, uint8_t *out, size_t out_len) {
    if (dec == NULL || out == NULL || !dec->header_read || dec->decoded)
        return CJPEG_ERR_BAD_ARGUMENT;
    struct jpeg_decompress_struct *c = &dec->cinfo;
    const size_t width = c->image_width, height = c->image_height;
    if (width == 0 || height == 0 || out_len / 3 / width != height || out_len % (3 * width) != 0)
        return CJPEG_ERR_BAD_ARGUMENT;
    int cmyk = 0;
    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE: case JCS_RGB: case JCS_YCbCr: c->out_color_space = JCS_RGB; break;
    case JCS_CMYK: case JCS_YCCK: c->out_color_space = JCS_CMYK; cmyk = 1; break;
    default: return CJPEG_ERR_BAD_ARGUMENT;
    }
    const int inverted = c->saw_Adobe_marker;
    if (cmyk) {
        dec->row = malloc(width * 4);
        if (dec->row == NULL) return CJPEG_ERR_NO_MEMORY;
    }
    if (setjmp(dec->jump)) return dec->status;
    dec->decoded = 1;
    // Defaults (islow DCT, fancy upsampling) are also Pillow's, so results agree.
    jpeg_start_decompress(c);
    if (c->output_width != width || c->output_height != height) {
        set_message(dec->message, sizeof dec->message, "unexpected output size");
        return CJPEG_ERR_LIBRARY;
    }
    const size_t stride = width * 3;
    while (c->output_scanline < c->output_height) {
        if (cmyk) {
            JSAMPROW rows[1] = { dec->row };
            const size_t y = c->output_scanline;
            jpeg_read_scanlines(c, rows, 1);
            uint8_t *dst = out + y * stride;
            const uint8_t *src = dec->row;
            for (size_t x = 0; x < width; x++, src += 4, dst += 3) {
                // Adobe writers store CMYK inverted; undo it to get ink amounts.
                unsigned cc = src[0], mm = src[1], yy = src[2], kk = src[3];
                if (inverted) { cc = 255 - cc; mm = 255 - mm; yy = 255 - yy; kk = 255 - kk; }
                unsigned nk = 255 - kk;
                dst[0] = (uint8_t)(nk - muldiv255(cc, nk));
                dst[1] = (uint8_t)(nk - muldiv255(mm, nk));
                dst[2] = (uint8_t)(nk - muldiv255(yy, nk));
            }
        } else {
            JSAMPROW rows[16];
            const size_t y = c->output_scanline;
            size_t n = height - y;
            if (n > 16) n = 16;
            for (size_t i = 0; i < n; i++) rows[i] = out + (y + i) * stride;
            jpeg_read_scanlines(c, rows, (JDIMENSION)n);
        }
    }
    // jpeg_finish_decompress is skipped on purpose: every pixel is in, and a
    // missing EOI after complete data is no reason to reject the photo.
    jpeg_abort_decompress(c);
    return CJPEG_OK;
}

const char *cjpeg_decoder_message(const cjpeg_decoder *dec) {
    return dec != NULL ? dec->message : "";
}

void cjpeg_decoder_destroy(cjpeg_decoder *dec) {
    if (dec == NULL) return;
    if (dec->created) jpeg_destroy_decompress(&dec->cinfo);
    free(dec->icc);
    free(dec->row);
    free(dec);
}

// MARK: - Encoding

// Our own growable destination: jpeg_mem_dest frees superseded buffers itself,
// which leaves no pointer that is safe to free after an error_exit.
typedef struct {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr err;
    struct jpeg_destination_mgr dest;
    jmp_buf jump;
    int created;
    uint8_t *buf;
    size_t cap;
    char *message;
    size_t message_len;
} enc_ctx;

static void encoder_error_exit(j_common_ptr cinfo) {
    enc_ctx *ctx = (enc_ctx *)cinfo->client_data;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    if (ctx->message != NULL) set_message(ctx->message, ctx->message_len, text);
    longjmp(ctx->jump, 1);
}

static void dest_init(j_compress_ptr cinfo) {
    enc_ctx *ctx = (enc_ctx *)cinfo->client_data;
    ctx->dest.next_output_byte = ctx->buf;
    ctx->dest.free_in_buffer = ctx->cap;
}

static boolean dest_empty(j_compress_ptr cinfo) {
    // libjpeg calls this only when the whole buffer is full, ignoring free_in_buffer.
    enc_ctx *ctx = (enc_ctx *)cinfo->client_data;
    size_t used = ctx->cap;
    size_t cap = ctx->cap * 2;
    uint8_t *grown = realloc(ctx->buf, cap);
    if (grown == NULL) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 11);
    ctx->buf = grown;
    ctx->cap = cap;
    ctx->dest.next_output_byte = grown + used;
    ctx->dest.free_in_buffer = cap - used;
    return TRUE;
}

static void dest_term(j_compress_ptr cinfo) { (void)cinfo; }

int32_t cjpeg_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height,
                         size_t stride, const cjpeg_encode_options *options,
                         const uint8_t *icc, size_t icc_len,
                         uint8_t **out, size_t *out_len,
                         char *message, size_t message_len) {
    if (message != NULL && message_len > 0) message[0] = 0;
    if (pixels == NULL || options == NULL || out == NULL || out_len == NULL ||
        width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION ||
        stride < (size_t)width * 3 || options->quality < 1 || options->quality > 100 ||
        options->restart_interval < 0 || options->restart_interval > 65535 || icc_len > 0xFFFFFFFFu) {
        if (message != NULL) set_message(message, message_len, "invalid encoder arguments");
        return CJPEG_ERR_BAD_ARGUMENT;
    }
    *out = NULL;
    *out_len = 0;
    enc_ctx *const ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return CJPEG_ERR_NO_MEMORY;
    ctx->message = message;
    ctx->message_len = message_len;
    // A quarter of the raw size holds most quality-90 photos without regrowing.
    ctx->cap = (size_t)width * height * 3 / 4 + 65536;
    ctx->buf = malloc(ctx->cap);
    if (ctx->buf == NULL) { free(ctx); return CJPEG_ERR_NO_MEMORY; }

    ctx->cinfo.err = jpeg_std_error(&ctx->err);
    ctx->err.error_exit = encoder_error_exit;
    ctx->cinfo.client_data = ctx;
    if (setjmp(ctx->jump)) {
        if (ctx->created) jpeg_destroy_compress(&ctx->cinfo);
        free(ctx->buf);
        free(ctx);
        return CJPEG_ERR_LIBRARY;
    }
    struct jpeg_compress_struct *c = &ctx->cinfo;
    jpeg_create_compress(c);
    ctx->created = 1;
    ctx->dest.init_destination = dest_init;
    ctx->dest.empty_output_buffer = dest_empty;
    ctx->dest.term_destination = dest_term;
    c->dest = &ctx->dest;

    c->image_width = width;
    c->image_height = height;
    c->input_components = 3;
    c->in_color_space = JCS_RGB;
    jpeg_set_defaults(c);
    jpeg_set_quality(c, options->quality, TRUE);
    const int h = options->subsampling_420 ? 2 : 1;
    c->comp_info[0].h_samp_factor = h;
    c->comp_info[0].v_samp_factor = h;
    c->comp_info[1].h_samp_factor = c->comp_info[1].v_samp_factor = 1;
    c->comp_info[2].h_samp_factor = c->comp_info[2].v_samp_factor = 1;
    c->optimize_coding = options->optimize_coding ? TRUE : FALSE;
    c->restart_interval = (unsigned int)options->restart_interval;
    if (options->progressive) jpeg_simple_progression(c);

    jpeg_start_compress(c, TRUE);
    // No APP1/EXIF is written: pixels are already upright, so readers must
    // not rotate again. The ICC profile is carried over when given.
    if (icc != NULL && icc_len > 0) jpeg_write_icc_profile(c, icc, (unsigned)icc_len);
    while (c->next_scanline < c->image_height) {
        JSAMPROW rows[16];
        size_t n = c->image_height - c->next_scanline;
        if (n > 16) n = 16;
        for (size_t i = 0; i < n; i++)
            rows[i] = (JSAMPROW)(pixels + (size_t)(c->next_scanline + i) * stride);
        jpeg_write_scanlines(c, rows, (JDIMENSION)n);
    }
    jpeg_finish_compress(c);
    *out_len = ctx->cap - ctx->dest.free_in_buffer;
    *out = ctx->buf;
    jpeg_destroy_compress(c);
    free(ctx);
    return CJPEG_OK;
}

void cjpeg_free(void *p) { free(p); }
