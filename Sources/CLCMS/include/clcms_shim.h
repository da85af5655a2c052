// A narrow C surface over LittleCMS 2: transforms from a photo's embedded colour space (an ICC
// profile, or HEIF/AVIF nclx primaries and transfer) to sRGB, on 8-bit interleaved RGB in place.
#ifndef CLCMS_SHIM_H
#define CLCMS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CLCMS_OK = 0,
    CLCMS_ERR_INVALID_PROFILE = 1,  // lcms could not parse the profile
    CLCMS_ERR_NOT_RGB = 2,          // a CMYK, Lab or other non-RGB, non-gray profile: nothing to convert with
    CLCMS_ERR_NO_TRANSFORM = 3,     // lcms could not build the transform (a profile without the tags it needs)
    CLCMS_ERR_IS_SRGB = 4,          // the profile describes sRGB: no conversion needed
    CLCMS_ERR_UNSUPPORTED = 5       // nclx code points this shim has no curve for (PQ, HLG, …)
} clcms_status;

typedef struct clcms_transform clcms_transform;

// A transform from the ICC profile to sRGB (perceptual intent, as ImageCms's default), or a
// status saying why there is none. A gray profile converts the first sample of each RGB triple.
// `description` (may be NULL) receives the profile's description.
int32_t clcms_transform_from_icc(const uint8_t *icc, size_t icc_len, clcms_transform **out,
                                 char *description, size_t description_len);
// A transform from the colour space that nclx code points (ISO/IEC 23091-2) describe to sRGB:
// the primaries and white as CIE xy, the transfer by its code (1, 4, 5, 6, 8, 13, 14, 15).
int32_t clcms_transform_from_nclx(const float primaries_xy[8], int32_t transfer, clcms_transform **out);
// Converts `count` RGB pixels in place. Thread-safe: one transform may run on disjoint ranges of
// the pixels at once (it is built without lcms's one-pixel cache).
void clcms_transform_run(const clcms_transform *transform, uint8_t *rgb, size_t count);
void clcms_transform_destroy(clcms_transform *transform);

// LittleCMS's sRGB profile (ICC v4), serialised: what an answer converted to sRGB is tagged with.
// On success *out is malloc'd; free it with clcms_free.
int32_t clcms_srgb_profile(uint8_t **out, size_t *out_len);
void clcms_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
