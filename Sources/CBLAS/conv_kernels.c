// See conv_kernels.h.
#include "conv_kernels.h"

#include <string.h>

#include "sa_clones.h"
#include "sa_tanh.h"

SA_CLONES
void sa_fill(float *dst, const float *residual, float value, long n) {
    if (residual) {
        for (long i = 0; i < n; i++) dst[i] = residual[i] + value;
    } else {
        for (long i = 0; i < n; i++) dst[i] = value;
    }
}

SA_CLONES
void sa_relu(float *x, long n) {
    for (long i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0;
}

// σ(v) = (1 + tanh(v/2)) / 2, as GRUDirection's sigmoid.
static inline float sa_sigmoid(float v) { return 0.5f + 0.5f * sa_tanh(0.5f * v); }

SA_CLONES
void sa_gru_step(int hidden, int sequences, const float *gx, long gxRowStride, const float *gh,
                 const float *bR, const float *bZ, const float *bInN, const float *bHidN,
                 float *state, float *out, long outRowStride) {
    const long H = hidden;
    for (long j = 0; j < H; j++) {
        const float *xr = gx + j * gxRowStride, *xz = gx + (H + j) * gxRowStride, *xn = gx + (2 * H + j) * gxRowStride;
        const float *hr = gh + j * sequences, *hz = gh + (H + j) * sequences, *hn = gh + (2 * H + j) * sequences;
        float *st = state + j * sequences, *o = out + j * outRowStride;
        const float br = bR[j], bz = bZ[j], bin = bInN[j], bhn = bHidN[j];
        for (int s = 0; s < sequences; s++) {
            const float r = sa_sigmoid(xr[s] + hr[s] + br);
            const float z = sa_sigmoid(xz[s] + hz[s] + bz);
            const float n = sa_tanh(xn[s] + bin + r * (hn[s] + bhn));
            const float h = (1 - z) * n + z * st[s];
            st[s] = h;
            o[s] = h;
        }
    }
}

SA_CLONES
void sa_transpose_planes(const float *src, int channels, int height, int width, float *dst) {
    enum { B = 16 };
    for (int c = 0; c < channels; c++) {
        const float *s = src + (long)c * height * width;
        float *d = dst + (long)c * height * width;
        for (int y0 = 0; y0 < height; y0 += B) {
            const int y1 = y0 + B < height ? y0 + B : height;
            for (int x0 = 0; x0 < width; x0 += B) {
                const int x1 = x0 + B < width ? x0 + B : width;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) d[(long)x * height + y] = s[(long)y * width + x];
                }
            }
        }
    }
}

// The three columns 2ox−1, 2ox, 2ox+1 of one input row, max-reduced into rowMax (the first output
// column has no left neighbour; the last may have no right one).
static inline void sa_row_max3(const float *row, int width, int outWidth, float *rowMax) {
    rowMax[0] = width > 1 ? (row[0] > row[1] ? row[0] : row[1]) : row[0];
    int ox = 1;
    for (; ox < outWidth && 2 * ox + 1 < width; ox++) {
        const float a = row[2 * ox - 1], b = row[2 * ox], c = row[2 * ox + 1];
        const float m = a > b ? a : b;
        rowMax[ox] = m > c ? m : c;
    }
    for (; ox < outWidth; ox++) {
        const float a = row[2 * ox - 1], b = row[2 * ox];
        rowMax[ox] = a > b ? a : b;
    }
}

SA_CLONES
void sa_maxpool_3x3s2(const float *x, int channels, int height, int width, int outHeight, int outWidth,
                      float *out, float *scratch) {
    for (int c = 0; c < channels; c++) {
        const float *plane = x + (long)c * height * width;
        float *dst = out + (long)c * outHeight * outWidth;
        for (int oy = 0; oy < outHeight; oy++) {
            const int y0 = 2 * oy - 1 < 0 ? 0 : 2 * oy - 1;
            const int y1 = 2 * oy + 1 < height - 1 ? 2 * oy + 1 : height - 1;
            float *o = dst + (long)oy * outWidth;
            sa_row_max3(plane + (long)y0 * width, width, outWidth, o);
            for (int y = y0 + 1; y <= y1; y++) {
                sa_row_max3(plane + (long)y * width, width, outWidth, scratch);
                for (int ox = 0; ox < outWidth; ox++) o[ox] = o[ox] > scratch[ox] ? o[ox] : scratch[ox];
            }
        }
    }
}
