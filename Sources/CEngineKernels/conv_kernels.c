// See conv_kernels.h.
#include "conv_kernels.h"

#include <string.h>

#include "sa_clones.h"
#include "sa_tanh.h"

long sa_winograd_f23_scratch(int width) {
    long tilesWide = (width + 1) / 2;
    return 8 * (2 * tilesWide + 2);  // the input side's 8 padded rows; the output side needs 4·tilesWide
}

// Per tile row: the 4 input rows copied into zero-padded rows (index k is column k − 1), Bᵀ applied
// down the columns of all of them at once (contiguous), then B along each row, reading the even and
// odd columns a tile apart, into the 16 point rows of v (contiguous over tiles).
SA_CLONES
void sa_winograd_f23_input(const float *x, int channels, int height, int width, int tileRow0, int tileRows,
                           float *v, long pointStride, long channelStride, float *scratch) {
    const int tilesWide = (width + 1) / 2;
    const long padded = 2L * tilesWide + 2;
    float *pad[4], *r[4];
    for (int i = 0; i < 4; i++) {
        pad[i] = scratch + i * padded;
        r[i] = scratch + (4 + i) * padded;
    }
    for (int c = 0; c < channels; c++) {
        const float *plane = x + (long)c * height * width;
        for (int tr = 0; tr < tileRows; tr++) {
            const int ty = tileRow0 + tr;
            for (int i = 0; i < 4; i++) {
                const int y = 2 * ty - 1 + i;
                float *p = pad[i];
                p[0] = 0;
                if (y >= 0 && y < height) {
                    memcpy(p + 1, plane + (long)y * width, (size_t)width * sizeof(float));
                } else {
                    memset(p + 1, 0, (size_t)width * sizeof(float));
                }
                for (long k = width + 1; k < padded; k++) p[k] = 0;
            }
            const float *d0 = pad[0], *d1 = pad[1], *d2 = pad[2], *d3 = pad[3];
            float *r0 = r[0], *r1 = r[1], *r2 = r[2], *r3 = r[3];
            for (long k = 0; k < padded; k++) {
                r0[k] = d0[k] - d2[k];
                r1[k] = d1[k] + d2[k];
                r2[k] = d2[k] - d1[k];
                r3[k] = d1[k] - d3[k];
            }
            const long t0 = (long)tr * tilesWide;
            for (int i = 0; i < 4; i++) {
                const float *row = r[i];
                float *q0 = v + (4 * i + 0) * pointStride + c * channelStride + t0;
                float *q1 = v + (4 * i + 1) * pointStride + c * channelStride + t0;
                float *q2 = v + (4 * i + 2) * pointStride + c * channelStride + t0;
                float *q3 = v + (4 * i + 3) * pointStride + c * channelStride + t0;
                for (int tx = 0; tx < tilesWide; tx++) {
                    const float e0 = row[2 * tx], o0 = row[2 * tx + 1], e1 = row[2 * tx + 2], o1 = row[2 * tx + 3];
                    q0[tx] = e0 - e1;
                    q1[tx] = o0 + e1;
                    q2[tx] = e1 - o0;
                    q3[tx] = o0 - o1;
                }
            }
        }
    }
}

// Per channel and tile row: Aᵀ down the 16 point rows (contiguous over tiles), A across, into two
// interleaved output rows of 2·tilesWide values; then bias, residual and ReLU over the valid columns.
SA_CLONES
void sa_winograd_f23_output(const float *m, int channels, int height, int width, int tileRow0, int tileRows,
                            long pointStride, long channelStride, const float *bias, const float *residual,
                            int relu, float *out, float *scratch) {
    const int tilesWide = (width + 1) / 2;
    float *rows[2] = {scratch, scratch + 2L * tilesWide};
    for (int o = 0; o < channels; o++) {
        const float bo = bias[o];
        for (int tr = 0; tr < tileRows; tr++) {
            const float *base = m + o * channelStride + (long)tr * tilesWide;
            const float *p[16];
            for (int xi = 0; xi < 16; xi++) p[xi] = base + xi * pointStride;
            float *row0 = rows[0], *row1 = rows[1];
            for (int tx = 0; tx < tilesWide; tx++) {
                const float a0 = p[0][tx] + p[4][tx] + p[8][tx], b0 = p[4][tx] - p[8][tx] - p[12][tx];
                const float a1 = p[1][tx] + p[5][tx] + p[9][tx], b1 = p[5][tx] - p[9][tx] - p[13][tx];
                const float a2 = p[2][tx] + p[6][tx] + p[10][tx], b2 = p[6][tx] - p[10][tx] - p[14][tx];
                const float a3 = p[3][tx] + p[7][tx] + p[11][tx], b3 = p[7][tx] - p[11][tx] - p[15][tx];
                row0[2 * tx] = a0 + a1 + a2;
                row0[2 * tx + 1] = a1 - a2 - a3;
                row1[2 * tx] = b0 + b1 + b2;
                row1[2 * tx + 1] = b1 - b2 - b3;
            }
            const int y = 2 * (tileRow0 + tr);
            for (int i = 0; i < 2 && y + i < height; i++) {
                const long offset = ((long)o * height + y + i) * width;
                float *dst = out + offset;
                const float *src = rows[i];
                if (residual) {
                    const float *res = residual + offset;
                    if (relu) {
                        for (int xx = 0; xx < width; xx++) { float a = src[xx] + bo + res[xx]; dst[xx] = a > 0 ? a : 0; }
                    } else {
                        for (int xx = 0; xx < width; xx++) dst[xx] = src[xx] + bo + res[xx];
                    }
                } else if (relu) {
                    for (int xx = 0; xx < width; xx++) { float a = src[xx] + bo; dst[xx] = a > 0 ? a : 0; }
                } else {
                    for (int xx = 0; xx < width; xx++) dst[xx] = src[xx] + bo;
                }
            }
        }
    }
}

SA_CLONES
void sa_inverse_column_norms(const float *x, int channels, long ld, int count, float eps, float *inv) {
    for (int i = 0; i < count; i++) inv[i] = 0;
    for (int c = 0; c < channels; c++) {
        const float *row = x + c * ld;
        for (int i = 0; i < count; i++) inv[i] += row[i] * row[i];
    }
    for (int i = 0; i < count; i++) {
        const float n = __builtin_sqrtf(inv[i]);
        inv[i] = 1.0f / (n > eps ? n : eps);
    }
}

SA_CLONES
void sa_scale_columns(const float *x, int channels, long ld, int count, const float *inv, float *out) {
    for (int c = 0; c < channels; c++) {
        const float *row = x + c * ld;
        float *o = out + (long)c * count;
        for (int i = 0; i < count; i++) o[i] = row[i] * inv[i];
    }
}

SA_CLONES
void sa_scale_rows(float *rows, int count, int width, const float *inv) {
    for (int i = 0; i < count; i++) {
        float *r = rows + (long)i * width;
        const float s = inv[i];
        for (int j = 0; j < width; j++) r[j] *= s;
    }
}

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
