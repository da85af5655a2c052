// See colour_kernels.h ("The guided filter's fit"). Window sums run in double: the fit subtracts
// squared means from means of squares (a variance of ~1e-4 against values of ~0.25), where float
// running sums would lose the digits that decide an edge.
#include "colour_kernels.h"

#include <string.h>

#include "sa_clones.h"

// colsum[i] += x[i] · (y ? y[i] : 1) · sign, in double.
static inline void sa_add_row(double *colsum, const float *x, const float *y, int w, double sign) {
    if (y) {
        for (int i = 0; i < w; i++) colsum[i] += sign * ((double)x[i] * (double)y[i]);
    } else {
        for (int i = 0; i < w; i++) colsum[i] += sign * (double)x[i];
    }
}

// prefix[i + 1] = colsum[0] + ... + colsum[i]. A running sum is one chain of dependent adds (4 cycles
// each); four quarters of the row summed side by side, then offset, take a quarter of the time.
static inline void sa_prefix(const double *colsum, int w, double *prefix) {
    const int q = w / 4;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    prefix[0] = 0;
    for (int i = 0; i < q; i++) {
        s0 += colsum[i];
        s1 += colsum[q + i];
        s2 += colsum[2 * q + i];
        s3 += colsum[3 * q + i];
        prefix[i + 1] = s0;
        prefix[q + i + 1] = s1;
        prefix[2 * q + i + 1] = s2;
        prefix[3 * q + i + 1] = s3;
    }
    for (int i = 4 * q; i < w; i++) {
        s3 += colsum[i];
        prefix[i + 1] = s3;
    }
    const double o1 = prefix[q], o2 = o1 + prefix[2 * q], o3 = o2 + prefix[3 * q];
    for (int i = q + 1; i <= 2 * q; i++) prefix[i] += o1;
    for (int i = 2 * q + 1; i <= 3 * q; i++) prefix[i] += o2;
    for (int i = 3 * q + 1; i <= w; i++) prefix[i] += o3;
}

SA_CLONES
void sa_box_mean(int h, int w, int r, const float *x, const float *y, float scale, float *out,
                 double *scratch) {
    double *colsum = scratch, *prefix = scratch + w;
    for (int i = 0; i < w; i++) colsum[i] = 0;
    for (int row = 0; row <= r && row < h; row++) {
        sa_add_row(colsum, x + (long)row * w, y ? y + (long)row * w : 0, w, 1);
    }
    // Columns whose window lies inside the row: one count; the borders divide by their own.
    const int first = r < w ? r : w, end = w - r - 1 > first ? w - r - 1 : first;
    for (int row = 0; row < h; row++) {
        if (row > 0) {
            const int enter = row + r, leave = row - r - 1;
            if (enter < h) sa_add_row(colsum, x + (long)enter * w, y ? y + (long)enter * w : 0, w, 1);
            if (leave >= 0) sa_add_row(colsum, x + (long)leave * w, y ? y + (long)leave * w : 0, w, -1);
        }
        const int top = row - r < 0 ? 0 : row - r, bottom = row + r + 1 > h ? h : row + r + 1;
        const double rowScale = (double)scale / (double)(bottom - top);
        sa_prefix(colsum, w, prefix);
        float *dst = out + (long)row * w;
        for (int i = 0; i < first; i++) {
            const int hi = i + r + 1 > w ? w : i + r + 1;
            dst[i] = (float)(prefix[hi] * rowScale / (double)hi);
        }
        const double inner = rowScale / (double)(2 * r + 1);
        for (int i = first; i < end; i++) {
            dst[i] = (float)((prefix[i + r + 1] - prefix[i - r]) * inner);
        }
        for (int i = end; i < w; i++) {
            const int lo = i - r < 0 ? 0 : i - r;
            dst[i] = (float)((prefix[w] - prefix[lo]) * rowScale / (double)(w - lo));
        }
    }
}

SA_CLONES
void sa_guided_fit_solve(int count, float eps, const float *const *stats, const float *meanP,
                         const float *const *meanIP, float *a0, float *a1, float *a2, float *b) {
    const float *m0p = stats[0], *m1p = stats[1], *m2p = stats[2];
    const float *rr = stats[3], *rg = stats[4], *rb = stats[5], *gg = stats[6], *gb = stats[7], *bb = stats[8];
    const float *ip0 = meanIP[0], *ip1 = meanIP[1], *ip2 = meanIP[2];
    for (int i = 0; i < count; i++) {
        const float m0 = m0p[i], m1 = m1p[i], m2 = m2p[i], mp = meanP[i];
        // Σ + εI (symmetric positive definite for ε > 0) and its inverse by cofactors.
        const float s00 = rr[i] - m0 * m0 + eps, s01 = rg[i] - m0 * m1, s02 = rb[i] - m0 * m2;
        const float s11 = gg[i] - m1 * m1 + eps, s12 = gb[i] - m1 * m2, s22 = bb[i] - m2 * m2 + eps;
        const float c00 = s11 * s22 - s12 * s12, c01 = s02 * s12 - s01 * s22, c02 = s01 * s12 - s02 * s11;
        const float c11 = s00 * s22 - s02 * s02, c12 = s01 * s02 - s00 * s12, c22 = s00 * s11 - s01 * s01;
        const float inv = 1 / (s00 * c00 + s01 * c01 + s02 * c02);
        const float v0 = ip0[i] - m0 * mp, v1 = ip1[i] - m1 * mp, v2 = ip2[i] - m2 * mp;
        const float x0 = (c00 * v0 + c01 * v1 + c02 * v2) * inv;
        const float x1 = (c01 * v0 + c11 * v1 + c12 * v2) * inv;
        const float x2 = (c02 * v0 + c12 * v1 + c22 * v2) * inv;
        a0[i] = x0;
        a1[i] = x1;
        a2[i] = x2;
        b[i] = mp - x0 * m0 - x1 * m1 - x2 * m2;
    }
}

// q_t − q_k ≥ margin for every k ≠ t at every colour in the box lo..hi (per channel, 8-bit) of the
// coefficient column c: an affine function's smallest value over a box is at a corner.
static inline int sa_column_certain(const float *c, int presets, int t, const float *lo, const float *hi,
                                    float margin) {
    const float *ct = c + 4 * t;
    for (int k = 0; k < presets; k++) {
        if (k == t) continue;
        const float *ck = c + 4 * k;
        float low = ct[3] - ck[3];
        for (int i = 0; i < 3; i++) {
            const float d = ct[i] - ck[i];
            low += d < 0 ? d * hi[i] : d * lo[i];
        }
        if (low < margin) return 0;  // a positive margin: ties and float rounding go per pixel
    }
    return 1;
}

static inline uint8_t sa_pixel_label(const float *c0, const float *c1, float w0, float w1, int presets,
                                     const uint8_t *rgb) {
    const float r = rgb[0], g = rgb[1], b = rgb[2];
    int best = 0;
    float top = 0;
    for (int k = 0; k < presets; k++) {
        const float *p = c0 + 4 * k, *q = c1 + 4 * k;
        const float v = (p[0] * w0 + q[0] * w1) * r + (p[1] * w0 + q[1] * w1) * g + (p[2] * w0 + q[2] * w1) * b
                        + (p[3] * w0 + q[3] * w1);
        if (k == 0 || v > top) { top = v; best = k; }  // first maximum, as torch.argmax
    }
    return (uint8_t)best;
}

SA_CLONES
void sa_guided_map_labels_row(int width, int presets, const float *row, const int32_t *lower, const int32_t *upper,
                              const float *weight, int segments, const int32_t *starts, const uint8_t *rgb,
                              uint8_t *labels) {
    const int n = 4 * presets;
    for (int s = 0; s < segments; s++) {
        const int x0 = starts[s], x1 = starts[s + 1];
        const float *c0 = row + (long)lower[x0] * n, *c1 = row + (long)upper[x0] * n;
        // Every pixel of the segment blends the same two columns with weights in [0, 1]: its q is a
        // convex combination of theirs, so a preset certain at both columns wins at every pixel.
        // First for any colour, then for the segment's own colour range (near a map boundary the
        // coefficients tilt with the colour, but a flat sky or wall spans a narrow range).
        int t = 0;
        for (int k = 1; k < presets; k++) if (c0[4 * k + 3] > c0[4 * t + 3]) t = k;
        static const float black[3] = {0, 0, 0}, white[3] = {255, 255, 255};
        if (sa_column_certain(c0, presets, t, black, white, 1e-5f) && sa_column_certain(c1, presets, t, black, white, 1e-5f)) {
            memset(labels + x0, t, (size_t)(x1 - x0));
            continue;
        }
        float lo[3] = {255, 255, 255}, hi[3] = {0, 0, 0};
        for (int x = x0; x < x1; x++) {
            for (int i = 0; i < 3; i++) {
                const float v = rgb[3 * x + i];
                lo[i] = v < lo[i] ? v : lo[i];
                hi[i] = v > hi[i] ? v : hi[i];
            }
        }
        if (sa_column_certain(c0, presets, t, lo, hi, 1e-5f) && sa_column_certain(c1, presets, t, lo, hi, 1e-5f)) {
            memset(labels + x0, t, (size_t)(x1 - x0));
            continue;
        }
        for (int x = x0; x < x1; x++) {
            const float w1 = weight[x];
            labels[x] = sa_pixel_label(c0, c1, 1 - w1, w1, presets, rgb + 3 * x);
        }
    }
}

SA_CLONES
void sa_guided_pack(int count, int presets, int fitted, const float *planes, long planeStride, float *out) {
    const int n = 4 * presets, m = 4 * fitted;
    // Pixel by pixel: m sequential read streams, one sequential write (a transpose; plane-major
    // writes at a stride of 4K floats cost a cache line per value).
    for (int i = 0; i < count; i++) {
        float *dst = out + (long)i * n;
        for (int p = 0; p < m; p++) dst[p] = planes[(long)p * planeStride + i];
        if (fitted == presets) continue;
        // The weights sum to 1, the filter is linear and keeps constants: the last preset's a is
        // minus the others' sum, its b one minus theirs.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 1;
        for (int j = 0; j < fitted; j++) {
            s0 -= dst[4 * j];
            s1 -= dst[4 * j + 1];
            s2 -= dst[4 * j + 2];
            s3 -= dst[4 * j + 3];
        }
        dst[m] = s0;
        dst[m + 1] = s1;
        dst[m + 2] = s2;
        dst[m + 3] = s3;
    }
}

// exp(x) = 2^n · exp(r), n = round(x / ln 2), |r| ≤ ln 2 / 2, Cephes' degree-6 polynomial for exp(r)
// (relative error ~2e-7), branch-free so that it vectorises. x is clamped to [-87, 88].
static inline float sa_exp(float x) {
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    const float n = __builtin_rintf(x * 1.44269504088896341f);
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const unsigned int bits = (unsigned int)((int)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

SA_CLONES
void sa_softmax_planes(int width, int channels, float *values, long planeStride, float *scratch) {
    float *top = scratch, *sum = scratch + width;
    for (int x = 0; x < width; x++) top[x] = values[x];
    for (int c = 1; c < channels; c++) {
        const float *v = values + (long)c * planeStride;
        for (int x = 0; x < width; x++) top[x] = v[x] > top[x] ? v[x] : top[x];
    }
    for (int x = 0; x < width; x++) sum[x] = 0;
    for (int c = 0; c < channels; c++) {
        float *v = values + (long)c * planeStride;
        for (int x = 0; x < width; x++) {
            v[x] = sa_exp(v[x] - top[x]);
            sum[x] += v[x];
        }
    }
    for (int x = 0; x < width; x++) sum[x] = 1 / sum[x];
    for (int c = 0; c < channels; c++) {
        float *v = values + (long)c * planeStride;
        for (int x = 0; x < width; x++) v[x] *= sum[x];
    }
}
