// See colour_kernels.h. Every loop runs over contiguous memory; reductions are allowed to reassociate
// (vector partial sums), which moves results by float rounding only.
#include "colour_kernels.h"

#include <string.h>

#include "sa_clones.h"

typedef float sa_v16 __attribute__((ext_vector_type(16)));
typedef float sa_v4 __attribute__((ext_vector_type(4)));

#include "sa_tanh.h"

// t = tanh(U x + b_u) for pixel x of the row, into r->tanhBuffer.
static inline void sa_hidden(const SAHeadRow *r, int x, float L, float A, float B) {
    const int d = r->rank;
    const float *a = r->conv1Row + (long)r->conv1Lower[x] * d;
    const float *b = r->conv1Row + (long)r->conv1Upper[x] * d;
    const float wx = r->conv1Weight[x], w0 = 1 - wx;
    const float *uL = r->uL, *uA = r->uA, *uB = r->uB, *ub = r->uBias;
    float *t = r->tanhBuffer;
    for (int j = 0; j < d; j++) {
        t[j] = sa_tanh(a[j] * w0 + b[j] * wx + uL[j] * L + uA[j] * A + uB[j] * B + ub[j]);
    }
}

static inline void sa_project(const SAHeadRow *r, const float *q, float *s0, float *s1, float *s2) {
#pragma clang fp reassociate(on)
    const int d = r->rank;
    const float *t = r->tanhBuffer;
    const float *p0 = r->outWeight, *p1 = p0 + d, *p2 = p1 + d;
    float a0 = 0, a1 = 0, a2 = 0;
    for (int j = 0; j < d; j++) {
        float v = t[j] * q[j];
        a0 += p0[j] * v;
        a1 += p1[j] * v;
        a2 += p2[j] * v;
    }
    *s0 = a0;
    *s1 = a1;
    *s2 = a2;
}

SA_CLONES
void sa_head_row(const SAHeadRow *r, const float *labL, const float *labA, const float *labB,
                 const float *mix, const float *qRows, float *outL, float *outA, float *outB) {
    const int d = r->rank, k = r->presetCount;
    for (int x = 0; x < r->width; x++) {
        const float L = labL[x], A = labA[x], B = labB[x];
        sa_hidden(r, x, L, A, B);
        const float *q;
        float msum = 1;
        if (qRows) {
            q = qRows + (long)x * d;
        } else {
            const float *m = mix + (long)x * k;
            float *qb = r->qBuffer;
            msum = 0;
            for (int j = 0; j < d; j++) qb[j] = 0;
            for (int kk = 0; kk < k; kk++) {
                const float mk = m[kk], *row = r->presets + (long)kk * d;
                msum += mk;
                for (int j = 0; j < d; j++) qb[j] += mk * row[j];
            }
            q = qb;
        }
        float s0, s1, s2;
        sa_project(r, q, &s0, &s1, &s2);
        outL[x] = L + s0 + r->outBias[0] * msum;
        outA[x] = A + s1 + r->outBias[1] * msum;
        outB[x] = B + s2 + r->outBias[2] * msum;
    }
}

SA_CLONES
void sa_head_row_per_preset(const SAHeadRow *r, const float *labL, const float *labA, const float *labB,
                            const float *qRows, float *residuals) {
    const int d = r->rank, sets = qRows ? 1 : r->presetCount;
    for (int x = 0; x < r->width; x++) {
        sa_hidden(r, x, labL[x], labA[x], labB[x]);
        float *res = residuals + (long)x * sets * 3;
        for (int kk = 0; kk < sets; kk++) {
            const float *q = qRows ? qRows + (long)x * d : r->presets + (long)kk * d;
            float s0, s1, s2;
            sa_project(r, q, &s0, &s1, &s2);
            res[3 * kk] = s0 + r->outBias[0];
            res[3 * kk + 1] = s1 + r->outBias[1];
            res[3 * kk + 2] = s2 + r->outBias[2];
        }
    }
}

// The luminance coordinate of a pixel on the bins: lower bin and the upper one's weight.
static inline void sa_bin(float L, int bins, int *b0, float *w) {
    float f = L * (float)(bins - 1) * 0.01f;
    f = f < 0 ? 0 : f;
    f = f > (float)(bins - 1) ? (float)(bins - 1) : f;
    int i = (int)f;
    if (i > bins - 2) i = bins - 2;
    *b0 = i;
    *w = f - (float)i;
}

SA_CLONES
void sa_guided_accumulate_row(int width, int sets, int bins, const float *labL, const float *labA,
                              const float *labB, const float *residuals, const int32_t *xLower,
                              const int32_t *xUpper, const float *xWeight, float upperRowWeight,
                              float *statsLowerRow, float *statsUpperRow) {
    const int s = 10 + 12 * sets;
    float stat[10 + 12 * 255];
    for (int x = 0; x < width; x++) {
        const float l = labL[x] * 0.01f, a = labA[x] * (1.0f / 110), b = labB[x] * (1.0f / 110);
        const float v[4] = {l, a, b, 1};
        stat[0] = l * l; stat[1] = l * a; stat[2] = l * b; stat[3] = l;
        stat[4] = a * a; stat[5] = a * b; stat[6] = a;
        stat[7] = b * b; stat[8] = b;
        stat[9] = 1;
        const float *res = residuals + (long)x * sets * 3;
        for (int k = 0; k < sets; k++) {
            for (int i = 0; i < 4; i++) {
                for (int c = 0; c < 3; c++) stat[10 + 12 * k + 3 * i + c] = v[i] * res[3 * k + c];
            }
        }
        int b0;
        float wl;
        sa_bin(labL[x], bins, &b0, &wl);
        const float wx = xWeight[x];
        const float wys[2] = {1 - upperRowWeight, upperRowWeight};
        float *rowsOut[2] = {statsLowerRow, statsUpperRow};
        const int32_t cols[2] = {xLower[x], xUpper[x]};
        const float wxs[2] = {1 - wx, wx};
        const float wls[2] = {1 - wl, wl};
        for (int iy = 0; iy < 2; iy++) {
            if (wys[iy] == 0) continue;
            for (int ix = 0; ix < 2; ix++) {
                float *node = rowsOut[iy] + ((long)cols[ix] * bins + b0) * s;
                for (int il = 0; il < 2; il++) {
                    const float w = wys[iy] * wxs[ix] * wls[il];
                    float *n = node + il * s;
                    for (int i = 0; i < s; i++) n[i] += w * stat[i];
                }
            }
        }
    }
}

SA_CLONES
void sa_lerp(const float *a, const float *b, float w, long count, float *dst) {
    const float w0 = 1 - w;
    for (long i = 0; i < count; i++) dst[i] = a[i] * w0 + b[i] * w;
}

// The residual of pixel x under one set's row grid: its 16 coefficients interpolated from the 2 grid
// columns × 2 luminance bins around it, applied to (L, a, b, 1). Vectors stay local (no vector
// arguments) so the baseline clone keeps the standard ABI.
static inline __attribute__((always_inline)) void sa_guided_residual(
    const SAGuidedRow *g, const float *grid, int x, float L, float A, float B, float *r0, float *r1, float *r2) {
    int b0;
    float wl;
    sa_bin(L, g->bins, &b0, &wl);
    const float wx = g->xWeight[x];
    const float *n0 = grid + ((long)g->xLower[x] * g->bins + b0) * SA_GUIDED_NODE;
    const float *n1 = grid + ((long)g->xUpper[x] * g->bins + b0) * SA_GUIDED_NODE;
    sa_v16 c0, c0u, c1, c1u;
    memcpy(&c0, n0, sizeof c0);
    memcpy(&c0u, n0 + SA_GUIDED_NODE, sizeof c0u);
    memcpy(&c1, n1, sizeof c1);
    memcpy(&c1u, n1 + SA_GUIDED_NODE, sizeof c1u);
    const sa_v16 k = (c0 * (1 - wl) + c0u * wl) * (1 - wx) + (c1 * (1 - wl) + c1u * wl) * wx;
    // Feature-major node: 4-lane rows for L, a, b and the constant; no horizontal sums needed.
    const sa_v4 r = k.lo.lo * L + k.lo.hi * A + k.hi.lo * B + k.hi.hi;
    *r0 = r[0];
    *r1 = r[1];
    *r2 = r[2];
}

SA_CLONES
void sa_guided_apply_row(const SAGuidedRow *g, const float *labL, const float *labA, const float *labB,
                         const uint8_t *labels, float *outL, float *outA, float *outB) {
    for (int x = 0; x < g->width; x++) {
        const float L = labL[x], A = labA[x], B = labB[x];
        const float *grid = g->rowGrids + (labels ? (long)labels[x] * g->setStride : 0);
        float r0, r1, r2;
        sa_guided_residual(g, grid, x, L, A, B, &r0, &r1, &r2);
        outL[x] = L + r0;
        outA[x] = A + r1;
        outB[x] = B + r2;
    }
}

SA_CLONES
void sa_guided_accumulate_weighted_row(const SAGuidedRow *g, const float *labL, const float *labA,
                                       const float *labB, int set, const float *weights, float *outL,
                                       float *outA, float *outB) {
    const float *grid = g->rowGrids + (long)set * g->setStride;
    for (int x = 0; x < g->width; x++) {
        const float w = weights[x];
        if (w == 0) continue;
        const float L = labL[x], A = labA[x], B = labB[x];
        float r0, r1, r2;
        sa_guided_residual(g, grid, x, L, A, B, &r0, &r1, &r2);
        outL[x] += w * r0;
        outA[x] += w * r1;
        outB[x] += w * r2;
    }
}

// (G + diag(λ, λ, λ, μ)) C = H + diag(λ, λ, λ, μ)·prior for the 4×3 C by Cholesky, G from its 10
// distinct entries, H, prior and C as 4 feature rows × 3 outputs. A singular system keeps the prior.
static void sa_solve4(const double g[10], const double h[12], double lambda, double mu, const double *prior,
                      double c[12]) {
    static const int idx[4][4] = {{0, 1, 2, 3}, {1, 4, 5, 6}, {2, 5, 7, 8}, {3, 6, 8, 9}};
    double a[4][4], rhs[12];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) a[i][j] = g[idx[i][j]];
    for (int i = 0; i < 3; i++) a[i][i] += lambda;
    a[3][3] += mu;
    for (int i = 0; i < 4; i++) {
        const double reg = i < 3 ? lambda : mu;
        for (int ch = 0; ch < 3; ch++) rhs[3 * i + ch] = h[3 * i + ch] + (prior ? reg * prior[3 * i + ch] : 0);
    }
    for (int j = 0; j < 4; j++) {
        double d = a[j][j];
        for (int k = 0; k < j; k++) d -= a[j][k] * a[j][k];
        if (!(d > 0)) {
            for (int i = 0; i < 12; i++) c[i] = prior ? prior[i] : 0;
            return;
        }
        const double l = __builtin_sqrt(d);
        a[j][j] = l;
        for (int i = j + 1; i < 4; i++) {
            double s = a[i][j];
            for (int k = 0; k < j; k++) s -= a[i][k] * a[j][k];
            a[i][j] = s / l;
        }
    }
    for (int ch = 0; ch < 3; ch++) {
        double z[4];
        for (int i = 0; i < 4; i++) {
            double s = rhs[3 * i + ch];
            for (int k = 0; k < i; k++) s -= a[i][k] * z[k];
            z[i] = s / a[i][i];
        }
        for (int i = 3; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < 4; k++) s -= a[k][i] * c[3 * k + ch];
            c[3 * i + ch] = s / a[i][i];
        }
    }
}

void sa_guided_solve(int cells, int bins, int sets, const float *stats, double ridge, float *coefficients,
                     long setStride) {
    const int s = 10 + 12 * sets;
    static const double unit[4] = {100, 110, 110, 1};  // coefficients in Lab units are k / unit
    double cellG[10], cellH[12 * 255], cellC[12 * 255], g[10], c[12];
    for (int cell = 0; cell < cells; cell++) {
        const float *st = stats + (long)cell * bins * s;
        for (int i = 0; i < 10; i++) cellG[i] = 0;
        for (int i = 0; i < 12 * sets; i++) cellH[i] = 0;
        for (int b = 0; b < bins; b++) {
            for (int i = 0; i < 10; i++) cellG[i] += st[b * s + i];
            for (int i = 0; i < 12 * sets; i++) cellH[i] += st[b * s + 10 + i];
        }
        const double lambda = ridge * cellG[9] + 1e-9;
        for (int k = 0; k < sets; k++) sa_solve4(cellG, cellH + 12 * k, lambda, 1e-9, 0, cellC + 12 * k);
        for (int b = 0; b < bins; b++) {
            const float *n = st + b * s;
            double h[12];
            for (int i = 0; i < 10; i++) g[i] = n[i];
            for (int k = 0; k < sets; k++) {
                for (int i = 0; i < 12; i++) h[i] = n[10 + 12 * k + i];
                sa_solve4(g, h, lambda, lambda, cellC + 12 * k, c);
                float *dst = coefficients + k * setStride + ((long)cell * bins + b) * SA_GUIDED_NODE;
                dst[3] = dst[7] = dst[11] = dst[15] = 0;
                for (int ch = 0; ch < 3; ch++)
                    for (int i = 0; i < 4; i++) dst[4 * i + ch] = (float)(c[3 * i + ch] / unit[i]);
            }
        }
    }
}

SA_CLONES
void sa_sample_pieces_row(int width, int channels, int pieces, const float *const *rows,
                          const int32_t *const *lower, const int32_t *const *upper,
                          const float *const *weight, const float *bias, float *out) {
    const int c = channels;
    if (c == 2) {  // K = 2 (pop-out, watercolor): both channels in one pass per piece, no inner loop
        for (int x = 0; x < width; x++) {
            out[2 * x] = bias[0];
            out[2 * x + 1] = bias[1];
        }
        for (int p = 0; p < pieces; p++) {
            const float *row = rows[p];
            const int32_t *lo = lower[p], *hi = upper[p];
            const float *wt = weight[p];
            for (int x = 0; x < width; x++) {
                const float *a = row + 2 * lo[x], *b = row + 2 * hi[x];
                const float w = wt[x], w0 = 1 - w;
                out[2 * x] += a[0] * w0 + b[0] * w;
                out[2 * x + 1] += a[1] * w0 + b[1] * w;
            }
        }
        return;
    }
    for (int x = 0; x < width; x++)
        for (int j = 0; j < c; j++) out[(long)x * c + j] = bias[j];
    for (int p = 0; p < pieces; p++) {
        const float *row = rows[p];
        const int32_t *lo = lower[p], *hi = upper[p];
        const float *wt = weight[p];
        for (int x = 0; x < width; x++) {
            const float *a = row + (long)lo[x] * c, *b = row + (long)hi[x] * c;
            const float w = wt[x], w0 = 1 - w;
            float *o = out + (long)x * c;
            for (int j = 0; j < c; j++) o[j] += a[j] * w0 + b[j] * w;
        }
    }
}

SA_CLONES
void sa_argmax_rows(int width, int channels, const float *values, uint8_t *labels) {
    for (int x = 0; x < width; x++) {
        const float *v = values + (long)x * channels;
        int best = 0;
        for (int k = 1; k < channels; k++)
            if (v[k] > v[best]) best = k;  // first maximum, as torch.argmax
        labels[x] = (uint8_t)best;
    }
}

// The two logits of output column x, in the order sa_sample_pieces_row sums them.
static inline __attribute__((always_inline)) void sa_logits2(int x, int pieces, const float *const *rows,
                                                             const int32_t *const *lower,
                                                             const int32_t *const *upper,
                                                             const float *const *weight, const float *bias,
                                                             float *o0, float *o1) {
    float v0 = bias[0], v1 = bias[1];
    for (int p = 0; p < pieces; p++) {
        const float *a = rows[p] + 2 * lower[p][x], *b = rows[p] + 2 * upper[p][x];
        const float w = weight[p][x], w0 = 1 - w;
        v0 += a[0] * w0 + b[0] * w;
        v1 += a[1] * w0 + b[1] * w;
    }
    *o0 = v0;
    *o1 = v1;
}

SA_CLONES
void sa_argmax2_segments_row(int width, int pieces, const float *const *rows, const int32_t *const *lower,
                             const int32_t *const *upper, const float *const *weight, const float *bias,
                             int segments, const int32_t *starts, float margin, uint8_t *labels) {
    (void)width;
    for (int s = 0; s < segments; s++) {
        const int x0 = starts[s], x1 = starts[s + 1] - 1;
        float a0, a1, b0, b1;
        sa_logits2(x0, pieces, rows, lower, upper, weight, bias, &a0, &a1);
        sa_logits2(x1, pieces, rows, lower, upper, weight, bias, &b0, &b1);
        const float da = a1 - a0, db = b1 - b0;
        // Linear between the ends: the same clear sign at both ends holds for every column between.
        if ((da > margin && db > margin) || (da < -margin && db < -margin)) {
            memset(labels + x0, da > 0 ? 1 : 0, (size_t)(x1 - x0 + 1));
            continue;
        }
        for (int x = x0; x <= x1; x++) {
            float v0, v1;
            sa_logits2(x, pieces, rows, lower, upper, weight, bias, &v0, &v1);
            labels[x] = v1 > v0 ? 1 : 0;  // first maximum, as torch.argmax
        }
    }
}
