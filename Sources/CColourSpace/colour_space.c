// See colour_space.h.
#include "colour_space.h"

#include <string.h>

#include "sa_clones.h"

// Pixels per chunk: three planes of it stay in L1 and fill whole AVX-512 vectors.
#define SA_CHUNK 256

static const float sa_white_x = 0.95047f, sa_white_z = 1.08883f;

static inline __attribute__((always_inline)) uint32_t sa_bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline __attribute__((always_inline)) float sa_float(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

// ∛x for positive, normal x: the exponent-thirding guess (within ~4 %), then two Halley steps.
static inline __attribute__((always_inline)) float sa_cbrt(float x) {
    float y = sa_float(sa_bits(x) / 3 + 709921077u);
    float y3 = y * y * y;
    y = y * (y3 + 2 * x) / (2 * y3 + x);
    y3 = y * y * y;
    y = y * (y3 + 2 * x) / (2 * y3 + x);
    return y;
}

// √x for positive, normal x as x · x^(−1/2): the classic guess and three Newton steps.
static inline __attribute__((always_inline)) float sa_sqrt(float x) {
    float r = sa_float(0x5F3759DFu - (sa_bits(x) >> 1));
    float half = 0.5f * x;
    r = r * (1.5f - half * r * r);
    r = r * (1.5f - half * r * r);
    r = r * (1.5f - half * r * r);
    return x * r;
}

static inline __attribute__((always_inline)) float sa_lab_f(float t) {
    int above = t > 0.008856f;
    float root = sa_cbrt(above ? t : 0.008856f);
    return above ? root : 7.787f * t + 16.0f / 116.0f;
}

static inline __attribute__((always_inline)) float sa_lab_f_inverse(float t) {
    return t > 0.2068966f ? t * t * t : (t - 16.0f / 116.0f) * (1 / 7.787f);
}

static inline __attribute__((always_inline)) float sa_gamma(float v) {
    int above = v > 0.0031308f;
    float c = sa_cbrt(above ? v : 0.0031308f);
    float encoded = 1.055f * (c * sa_sqrt(sa_sqrt(c))) - 0.055f;
    float result = above ? encoded : 12.92f * v;
    return result < 0 ? 0 : (result > 1 ? 1 : result);  // NaN fails both tests and stays NaN
}

static inline __attribute__((always_inline)) float sa_unit_clamp(float v) { return v > 0 ? (v < 1 ? v : 1) : 0; }  // NaN -> 0

// Linear RGB (stack chunk) to Lab.
static inline __attribute__((always_inline)) void sa_linear_to_lab(int n, const float *restrict r, const float *restrict g,
                                    const float *restrict bl, float *restrict l, float *restrict a,
                                    float *restrict b) {
    for (int i = 0; i < n; i++) {
        float x = (0.412453f * r[i] + 0.357580f * g[i] + 0.180423f * bl[i]) * (1 / sa_white_x);
        float y = 0.212671f * r[i] + 0.715160f * g[i] + 0.072169f * bl[i];
        float z = (0.019334f * r[i] + 0.119193f * g[i] + 0.950227f * bl[i]) * (1 / sa_white_z);
        float fx = sa_lab_f(x), fy = sa_lab_f(y), fz = sa_lab_f(z);
        l[i] = 116 * fy - 16;
        a[i] = 500 * (fx - fy);
        b[i] = 200 * (fy - fz);
    }
}

// Lab (stack chunk) to linear RGB.
static inline __attribute__((always_inline)) void sa_lab_to_linear(int n, const float *restrict l, const float *restrict a,
                                    const float *restrict b, float *restrict red, float *restrict green,
                                    float *restrict blue) {
    for (int i = 0; i < n; i++) {
        float fy = (l[i] + 16) * (1 / 116.0f);
        float fx = a[i] * (1 / 500.0f) + fy;
        float fz_raw = fy - b[i] * (1 / 200.0f);
        float fz = fz_raw < 0 ? 0 : fz_raw;  // skimage clips negative Z to zero
        float x = sa_lab_f_inverse(fx) * sa_white_x;
        float y = sa_lab_f_inverse(fy);
        float z = sa_lab_f_inverse(fz) * sa_white_z;
        // skimage's rgb_from_xyz = inv(xyz_from_rgb), in full precision.
        red[i] = 3.2404813432005266f * x - 1.5371515162713185f * y - 0.4985363261688878f * z;
        green[i] = -0.9692549499965682f * x + 1.8759900014898907f * y + 0.04155592655829284f * z;
        blue[i] = 0.05564663913517716f * x - 0.20404133836651123f * y + 1.0573110696453443f * z;
    }
}

// Lab (stack chunk) to gamma-encoded sRGB clipped to [0, 1].
static inline __attribute__((always_inline)) void sa_lab_to_rgb(int n, const float *restrict l, const float *restrict a,
                                 const float *restrict b, float *restrict red, float *restrict green,
                                 float *restrict blue) {
    sa_lab_to_linear(n, l, a, b, red, green, blue);
    for (int i = 0; i < n; i++) {
        red[i] = sa_gamma(red[i]);
        green[i] = sa_gamma(green[i]);
        blue[i] = sa_gamma(blue[i]);
    }
}

static inline __attribute__((always_inline)) float sa_to_linear(float v, const float *table) {
    float t = sa_unit_clamp(v) * SA_LINEAR_TABLE_SIZE;
    int i = (int)t;
    i = i < SA_LINEAR_TABLE_SIZE - 1 ? i : SA_LINEAR_TABLE_SIZE - 1;
    float f = t - (float)i;
    return table[i] + f * (table[i + 1] - table[i]);
}

SA_CLONES
void sa_srgb_to_lab(const float *red, const float *green, const float *blue, const float *linearTable,
                    float *l, float *a, float *b, long count) {
    float r[SA_CHUNK], g[SA_CHUNK], bl[SA_CHUNK];
    for (long s = 0; s < count; s += SA_CHUNK) {
        int n = count - s < SA_CHUNK ? (int)(count - s) : SA_CHUNK;
        for (int i = 0; i < n; i++) r[i] = sa_to_linear(red[s + i], linearTable);
        for (int i = 0; i < n; i++) g[i] = sa_to_linear(green[s + i], linearTable);
        for (int i = 0; i < n; i++) bl[i] = sa_to_linear(blue[s + i], linearTable);
        sa_linear_to_lab(n, r, g, bl, l + s, a + s, b + s);
    }
}

SA_CLONES
void sa_srgb8_to_lab(const uint8_t *rgb, const float *table256, float *l, float *a, float *b, long count) {
    float r[SA_CHUNK], g[SA_CHUNK], bl[SA_CHUNK];
    for (long s = 0; s < count; s += SA_CHUNK) {
        int n = count - s < SA_CHUNK ? (int)(count - s) : SA_CHUNK;
        const uint8_t *p = rgb + 3 * s;
        for (int i = 0; i < n; i++) {
            r[i] = table256[p[3 * i]];
            g[i] = table256[p[3 * i + 1]];
            bl[i] = table256[p[3 * i + 2]];
        }
        sa_linear_to_lab(n, r, g, bl, l + s, a + s, b + s);
    }
}

SA_CLONES
void sa_lab_to_srgb(const float *l, const float *a, const float *b, float *red, float *green, float *blue,
                    long count) {
    float cl[SA_CHUNK], ca[SA_CHUNK], cb[SA_CHUNK], r[SA_CHUNK], g[SA_CHUNK], bl[SA_CHUNK];
    for (long s = 0; s < count; s += SA_CHUNK) {
        int n = count - s < SA_CHUNK ? (int)(count - s) : SA_CHUNK;
        memcpy(cl, l + s, (size_t)n * 4);
        memcpy(ca, a + s, (size_t)n * 4);
        memcpy(cb, b + s, (size_t)n * 4);
        sa_lab_to_rgb(n, cl, ca, cb, r, g, bl);
        memcpy(red + s, r, (size_t)n * 4);
        memcpy(green + s, g, (size_t)n * 4);
        memcpy(blue + s, bl, (size_t)n * 4);
    }
}

static inline __attribute__((always_inline)) uint8_t sa_encode8(float v, const uint8_t *floor, const float *threshold) {
    float c = sa_unit_clamp(v);
    int q = floor[sa_bits(c) >> 16];
    q += c >= threshold[q];
    q += c >= threshold[q];
    return (uint8_t)q;
}

SA_CLONES
void sa_lab_to_srgb8(const float *l, const float *a, const float *b, const uint8_t *levelFloor,
                     const float *threshold, uint8_t *rgb, long count) {
    float r[SA_CHUNK], g[SA_CHUNK], bl[SA_CHUNK];
    uint8_t q[3 * SA_CHUNK];
    for (long s = 0; s < count; s += SA_CHUNK) {
        int n = count - s < SA_CHUNK ? (int)(count - s) : SA_CHUNK;
        sa_lab_to_linear(n, l + s, a + s, b + s, r, g, bl);
        for (int i = 0; i < n; i++) {
            q[3 * i] = sa_encode8(r[i], levelFloor, threshold);
            q[3 * i + 1] = sa_encode8(g[i], levelFloor, threshold);
            q[3 * i + 2] = sa_encode8(bl[i], levelFloor, threshold);
        }
        memcpy(rgb + 3 * s, q, (size_t)n * 3);
    }
}
