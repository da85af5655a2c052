// The context pass's non-gemm loops around OpenBLAS's sgemm (Winograd transforms, epilogues, pooling,
// GRU gates), in C so each is compiled per CPU level (sa_clones.h). Caller-owned buffers, contiguous
// loops, no allocation.
#ifndef CONV_KERNELS_H
#define CONV_KERNELS_H

// ---- Winograd F(2x2, 3x3), stride 1, padding 1 ----------------------------------------------------
// Tile (ty, tx) covers output rows 2ty, 2ty+1 and columns 2tx, 2tx+1, from input rows 2ty-1 … 2ty+2
// and columns 2tx-1 … 2tx+2 (zero outside). Tiles are counted row-major over a grid tilesWide =
// (width+1)/2 wide; a call handles tile rows [tileRow0, tileRow0 + tileRows), whose tile t (from 0)
// sits at column t of each point/channel row of the buffers: element (ξ, c, t) at
// ξ·pointStride + c·channelStride + t, for the 16 points ξ = 4i + j of a 4x4 transform.

// Floats of `scratch` the two transforms need for an input of this width.
long sa_winograd_f23_scratch(int width);

// v = Bᵀ d B for every channel of x (channels × height × width, CHW).
void sa_winograd_f23_input(const float *x, int channels, int height, int width, int tileRow0, int tileRows,
                           float *v, long pointStride, long channelStride, float *scratch);

// out = act(Aᵀ m A + bias[o] (+ residual)) for every channel o (CHW, height × width), valid outputs
// only; residual may be NULL; relu non-zero applies max(·, 0).
void sa_winograd_f23_output(const float *m, int channels, int height, int width, int tileRow0, int tileRows,
                            long pointStride, long channelStride, const float *bias, const float *residual,
                            int relu, float *out, float *scratch);

// ---- GRU (PyTorch gate order r, z, n) ---------------------------------------------------------------
// One step of `sequences` sequences side by side: for gate row j and sequence s,
//   r = σ(gx[j] + gh[j] + bR[j]),  z = σ(gx[H + j] + gh[H + j] + bZ[j]),
//   n = tanh(gx[2H + j] + bInN[j] + r · (gh[2H + j] + bHidN[j])),  h = (1 − z) · n + z · state,
// with gx rows `gxRowStride` apart (the step's sequences contiguous in each), gh 3H × sequences,
// state H × sequences (updated), and h also written to out (rows `outRowStride` apart).
// bR = b_ir + b_hr and bZ = b_iz + b_hz (the biases that only ever add); σ and tanh as FastTanh.
void sa_gru_step(int hidden, int sequences, const float *gx, long gxRowStride, const float *gh,
                 const float *bR, const float *bZ, const float *bInN, const float *bHidN,
                 float *state, float *out, long outRowStride);

// dst[c][x][y] = src[c][y][x] for each of `channels` planes of height × width.
void sa_transpose_planes(const float *src, int channels, int height, int width, float *dst);

// ---- Max pooling, 3x3 / stride 2 / padding 1 (implicit −∞ padding) -----------------------------------
// out (channels × outHeight × outWidth) from x (channels × height × width); scratch: outWidth floats.
void sa_maxpool_3x3s2(const float *x, int channels, int height, int width, int outHeight, int outWidth,
                      float *out, float *scratch);

// ---- Hypercolumn L2 normalisation -------------------------------------------------------------------
// inv[i] = 1 / max(‖x[:, i]‖, eps) over `channels` rows `ld` apart, for positions i < count.
void sa_inverse_column_norms(const float *x, int channels, long ld, int count, float eps, float *inv);
// out[c][i] = x[c][i] · inv[i] (out rows `count` apart, x rows `ld` apart).
void sa_scale_columns(const float *x, int channels, long ld, int count, const float *inv, float *out);
// rows[i][j] *= inv[i] for i < count, j < width (rows `width` apart).
void sa_scale_rows(float *rows, int count, int width, const float *inv);

// ---- Epilogues ---------------------------------------------------------------------------------------
// dst[i] = value (+ residual[i]) for i < n; residual may be NULL.
void sa_fill(float *dst, const float *residual, float value, long n);
// x[i] = max(x[i], 0) for i < n.
void sa_relu(float *x, long n);

#endif
