// LittleCMS 2 behind status codes. Each call uses its own context so that lcms's error handler
// (which would print) is silenced per call, never process-wide.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lcms2.h>

#include "clcms_shim.h"

struct clcms_transform {
    cmsContext context;
    cmsHTRANSFORM transform;
};

static void quiet(cmsContext context, cmsUInt32Number code, const char *text) {
    (void)context; (void)code; (void)text;
}

static cmsContext new_context(void) {
    cmsContext context = cmsCreateContext(NULL, NULL);
    if (context != NULL) cmsSetLogErrorHandlerTHR(context, quiet);
    return context;
}

// sRGB's D50-adapted colorants (the rXYZ/gXYZ/bXYZ of every sRGB profile) and its curve: a
// profile matching both within 8-bit precision converts to (nearly) itself, so it is left alone.
static int is_srgb(cmsContext context, cmsHPROFILE profile) {
    cmsHPROFILE srgb = cmsCreate_sRGBProfileTHR(context);
    if (srgb == NULL) return 0;
    int same = 1;
    const cmsTagSignature colorants[3] = {cmsSigRedColorantTag, cmsSigGreenColorantTag, cmsSigBlueColorantTag};
    const cmsTagSignature curves[3] = {cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag};
    for (int c = 0; c < 3 && same; c++) {
        const cmsCIEXYZ *mine = cmsReadTag(profile, colorants[c]), *theirs = cmsReadTag(srgb, colorants[c]);
        const cmsToneCurve *curve = cmsReadTag(profile, curves[c]), *reference = cmsReadTag(srgb, curves[c]);
        if (mine == NULL || theirs == NULL || curve == NULL || reference == NULL) { same = 0; break; }
        if (fabs(mine->X - theirs->X) > 0.002 || fabs(mine->Y - theirs->Y) > 0.002 || fabs(mine->Z - theirs->Z) > 0.002) same = 0;
        for (int i = 0; i <= 32 && same; i++) {
            float v = (float)i / 32.0f;
            if (fabsf(cmsEvalToneCurveFloat(curve, v) - cmsEvalToneCurveFloat(reference, v)) > 0.5f / 255.0f) same = 0;
        }
    }
    cmsCloseProfile(srgb);
    return same;
}

static int32_t make_transform(cmsContext context, cmsHPROFILE source, int gray, clcms_transform **out) {
    cmsHPROFILE srgb = cmsCreate_sRGBProfileTHR(context);
    if (srgb == NULL) return CLCMS_ERR_NO_TRANSFORM;
    // Gray: the first byte of each triple read, all three written (in place, the same stride).
    cmsUInt32Number input = gray ? (COLORSPACE_SH(PT_GRAY) | CHANNELS_SH(1) | BYTES_SH(1) | EXTRA_SH(2)) : TYPE_RGB_8;
    cmsHTRANSFORM transform = cmsCreateTransformTHR(context, source, input, srgb, TYPE_RGB_8, INTENT_PERCEPTUAL,
                                                    cmsFLAGS_NOCACHE);
    cmsCloseProfile(srgb);
    if (transform == NULL) return CLCMS_ERR_NO_TRANSFORM;
    struct clcms_transform *result = calloc(1, sizeof *result);
    if (result == NULL) { cmsDeleteTransform(transform); return CLCMS_ERR_NO_TRANSFORM; }
    result->context = context;
    result->transform = transform;
    *out = result;
    return CLCMS_OK;
}

int32_t clcms_transform_from_icc(const uint8_t *icc, size_t icc_len, clcms_transform **out,
                                 char *description, size_t description_len) {
    if (out == NULL) return CLCMS_ERR_NO_TRANSFORM;
    *out = NULL;
    if (description && description_len) description[0] = 0;
    if (icc == NULL || icc_len < 128 || icc_len > UINT32_MAX) return CLCMS_ERR_INVALID_PROFILE;
    cmsContext context = new_context();
    if (context == NULL) return CLCMS_ERR_NO_TRANSFORM;
    cmsHPROFILE profile = cmsOpenProfileFromMemTHR(context, icc, (cmsUInt32Number)icc_len);
    if (profile == NULL) { cmsDeleteContext(context); return CLCMS_ERR_INVALID_PROFILE; }
    if (description && description_len) {
        cmsGetProfileInfoASCII(profile, cmsInfoDescription, "en", "US", description, (cmsUInt32Number)description_len);
    }
    cmsColorSpaceSignature space = cmsGetColorSpace(profile);
    int32_t status;
    if (space == cmsSigRgbData) {
        status = is_srgb(context, profile) ? CLCMS_ERR_IS_SRGB : make_transform(context, profile, 0, out);
    } else if (space == cmsSigGrayData) {
        status = make_transform(context, profile, 1, out);
    } else {
        status = CLCMS_ERR_NOT_RGB;
    }
    cmsCloseProfile(profile);
    if (status != CLCMS_OK) cmsDeleteContext(context);
    return status;
}

int32_t clcms_transform_from_nclx(const float primaries_xy[8], int32_t transfer, clcms_transform **out) {
    if (out == NULL || primaries_xy == NULL) return CLCMS_ERR_NO_TRANSFORM;
    *out = NULL;
    cmsContext context = new_context();
    if (context == NULL) return CLCMS_ERR_NO_TRANSFORM;
    cmsToneCurve *curve = NULL;
    switch (transfer) {
    case 13: {  // IEC 61966-2-1 (sRGB), as lcms's own sRGB profile builds it
        const cmsFloat64Number parameters[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
        curve = cmsBuildParametricToneCurve(context, 4, parameters);
        break;
    }
    case 1: case 6: case 14: case 15:
        // BT.709/601/2020 SDR: displayed through BT.1886's gamma 2.4, as players and browsers show it.
        curve = cmsBuildGamma(context, 2.4);
        break;
    case 4: curve = cmsBuildGamma(context, 2.2); break;
    case 5: curve = cmsBuildGamma(context, 2.8); break;
    case 8: curve = cmsBuildGamma(context, 1.0); break;
    default: cmsDeleteContext(context); return CLCMS_ERR_UNSUPPORTED;
    }
    if (curve == NULL) { cmsDeleteContext(context); return CLCMS_ERR_NO_TRANSFORM; }
    cmsCIExyY white = {primaries_xy[6], primaries_xy[7], 1.0};
    cmsCIExyYTRIPLE primaries = {
        {primaries_xy[0], primaries_xy[1], 1.0}, {primaries_xy[2], primaries_xy[3], 1.0}, {primaries_xy[4], primaries_xy[5], 1.0}};
    cmsToneCurve *curves[3] = {curve, curve, curve};
    cmsHPROFILE profile = cmsCreateRGBProfileTHR(context, &white, &primaries, curves);
    cmsFreeToneCurve(curve);
    if (profile == NULL) { cmsDeleteContext(context); return CLCMS_ERR_NO_TRANSFORM; }
    int32_t status = is_srgb(context, profile) ? CLCMS_ERR_IS_SRGB : make_transform(context, profile, 0, out);
    cmsCloseProfile(profile);
    if (status != CLCMS_OK) cmsDeleteContext(context);
    return status;
}

void clcms_transform_run(const clcms_transform *transform, uint8_t *rgb, size_t count) {
    if (transform == NULL || rgb == NULL) return;
    // cmsDoTransform takes a 32-bit count.
    while (count > 0) {
        cmsUInt32Number n = count > (1u << 30) ? (1u << 30) : (cmsUInt32Number)count;
        cmsDoTransform(transform->transform, rgb, rgb, n);
        rgb += (size_t)n * 3;
        count -= n;
    }
}

void clcms_transform_destroy(clcms_transform *transform) {
    if (transform == NULL) return;
    cmsDeleteTransform(transform->transform);
    cmsDeleteContext(transform->context);
    free(transform);
}

int32_t clcms_srgb_profile(uint8_t **out, size_t *out_len) {
    if (out == NULL || out_len == NULL) return CLCMS_ERR_NO_TRANSFORM;
    *out = NULL;
    *out_len = 0;
    cmsContext context = new_context();
    if (context == NULL) return CLCMS_ERR_NO_TRANSFORM;
    cmsHPROFILE srgb = cmsCreate_sRGBProfileTHR(context);
    int32_t status = CLCMS_ERR_NO_TRANSFORM;
    cmsUInt32Number size = 0;
    if (srgb != NULL && cmsSaveProfileToMem(srgb, NULL, &size) && size > 0) {
        uint8_t *bytes = malloc(size);
        if (bytes != NULL && cmsSaveProfileToMem(srgb, bytes, &size)) {
            *out = bytes;
            *out_len = size;
            status = CLCMS_OK;
        } else {
            free(bytes);
        }
    }
    if (srgb != NULL) cmsCloseProfile(srgb);
    cmsDeleteContext(context);
    return status;
}

void clcms_free(void *p) { free(p); }
