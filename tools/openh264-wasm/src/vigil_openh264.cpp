/*
 * Vigil's shim over the OpenH264 encoder (Cisco, BSD-2-Clause), compiled to WebAssembly by
 * tools/openh264-wasm/build.sh. It exposes a handful of flat functions that JavaScript calls
 * through the Emscripten module (`Module._vigil_encoder_create(...)`):
 *
 *   create      vigil_encoder_create(width, height, target_bps, max_bps, fps, level_idc)
 *   input       vigil_encoder_picture() -> I420 buffer (Y, then U, then V, tightly packed)
 *               vigil_encoder_scratch(bytes) -> buffer for NV12 / RGBA input to convert
 *               vigil_encoder_nv12_to_i420(...), vigil_encoder_rgba_to_i420(...),
 *               vigil_encoder_scale_to_picture(...) (a larger I420/NV12 picture, downscaled)
 *   encode      vigil_encoder_encode(timestamp_ms, force_idr) -> Annex B bytes of one access unit
 *   control     vigil_encoder_force_idr(), vigil_encoder_set_rate(target_bps, max_bps, fps)
 *   destroy     vigil_encoder_destroy()
 *
 * One encoder per handle; every function takes the handle first. Single-threaded: OpenH264 is
 * configured with iMultipleThreadIdc = 1 and the module is built without pthreads.
 *
 * Encoder settings (names from OpenH264's codec_app_def.h, SEncParamExt / SSpatialLayerConfig):
 * - iUsageType = SCREEN_CONTENT_REAL_TIME: screen-content tools (static-block and scroll
 *   detection, screen rate control);
 * - uiProfileIdc = PRO_BASELINE (66) with CAVLC (iEntropyCodingModeFlag = 0), one slice
 *   (SM_SINGLE_SLICE), one spatial and one temporal layer, no B-frames (Baseline has none):
 *   OpenH264 then writes constraint_set0_flag = constraint_set1_flag = 1, i.e. Constrained
 *   Baseline (ITU-T H.264 A.2.1.1), profile byte 0x42, constraint byte 0xC0;
 * - uiLevelIdc = the caller's level_idc (31 or 40, chosen from the frame size as in ITU-T
 *   H.264 Table A-1); OpenH264 only ever raises it when its own limits need more;
 * - iRCMode = RC_BITRATE_MODE with iTargetBitrate / iSpatialBitrate (bits per second) and
 *   iMaxBitrate / iMaxSpatialBitrate as the peak limit; bEnableFrameSkip = false, so every
 *   input frame produces an access unit (the Sentinel expects one output per input). In
 *   screen-content mode OpenH264 keeps the QP within MIN_SCREEN_QP..MAX_SCREEN_QP (26..35,
 *   encoder/core/inc/rc.h) so text stays readable: the target is met as far as that range
 *   allows, and full-screen changes overshoot it;
 * - uiIntraPeriod = 0: no periodic IDR. IDRs come from ForceIntraFrame(true), the first frame,
 *   and OpenH264's own scene-change detection: in screen-content mode without long-term
 *   references a full-screen change (a window switch) is coded as an IDR (DecideFrameType in
 *   encoder/core/src/encoder.cpp), and ParamValidation forces that detection on. We keep it:
 *   measured at 1920x1080, such a frame as an IDR takes ~90 ms and ~230 KB, the same frame
 *   forced to be a P frame (by patching that rule out) ~2400 ms and ~290 KB. The access unit
 *   says IDR, so the Sentinel marks it as a join fragment like any other keyframe;
 * - eSpsPpsIdStrategy = CONSTANT_ID: SPS/PPS ids stay 0, so the parameter sets (and the avcC
 *   built from them) only change when the encoder is re-created with another size or level.
 *
 * OpenH264 accepts frame rates of 1..60 fps only (MIN_FRAME_RATE/MAX_FRAME_RATE in
 * wels_const.h) and budgets bits per frame as bitrate / frame rate. For slower streams (Vigil
 * goes down to 0.2 fps) the shim tells OpenH264 "1 fps" and scales both bitrates by 1 / fps, so
 * bits per frame, and thus the real bitrate at the real frame rate, stay as asked.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <emscripten/emscripten.h>

#include "codec_api.h"
#include "codec_app_def.h"
#include "codec_def.h"

extern "C" {

/** Error codes returned (negated) by the shim; OpenH264's own codes are passed through as-is. */
enum {
  VIGIL_OK = 0,
  VIGIL_ERR_ARGUMENT = 1001,     /* a bad argument (size, rate, level, null handle) */
  VIGIL_ERR_OUT_OF_MEMORY = 1002, /* malloc failed */
  VIGIL_ERR_CREATE = 1003,       /* WelsCreateSVCEncoder failed */
};

/** Smallest and largest frame rate OpenH264 accepts (wels_const.h MIN_FRAME_RATE/MAX_FRAME_RATE). */
#define OH264_MIN_FPS 1.0f
#define OH264_MAX_FPS 60.0f

typedef struct VigilEncoder {
  ISVCEncoder* encoder;
  int width;              /* pixels, even */
  int height;             /* pixels, even */
  uint8_t* picture;       /* I420: width*height luma, then two (width/2)*(height/2) chroma planes */
  uint8_t* scratch;       /* caller-filled input to convert (NV12, RGBA) */
  size_t scratch_size;
  uint8_t* output;        /* Annex B of the last access unit */
  size_t output_capacity;
  size_t output_size;
  int frame_type;         /* EVideoFrameType of the last access unit */
} VigilEncoder;

/*
 * OpenH264's WelsThreadCreate (codec/common/src/WelsThreadLib.cpp) calls these two before
 * pthread_create; Emscripten without -pthread declares but does not define them. The module is
 * single-threaded (iMultipleThreadIdc = 1 never creates a thread), so they only have to link:
 * they fail with ENOSYS, which WelsThreadCreate reports as an error instead of starting a thread.
 */
int pthread_attr_setscope(pthread_attr_t* attr, int scope) {
  (void)attr;
  (void)scope;
  return ENOSYS;
}
int pthread_attr_setschedpolicy(pthread_attr_t* attr, int policy) {
  (void)attr;
  (void)policy;
  return ENOSYS;
}

static int g_last_error = 0;

/** The error of the last failed vigil_encoder_create (a VIGIL_ERR_* or OpenH264 CM_RETURN code). */
EMSCRIPTEN_KEEPALIVE int vigil_encoder_last_error(void) { return g_last_error; }

/* Bitrates and frame rate as OpenH264 is told them; see the file comment. */
static void scaled_rates(int target_bps, int max_bps, float fps, int* enc_target, int* enc_max, float* enc_fps) {
  double scale = fps < OH264_MIN_FPS ? (double)OH264_MIN_FPS / fps : 1.0;
  double t = target_bps * scale;
  double m = max_bps * scale;
  *enc_target = t > 2000000000.0 ? 2000000000 : (int)t;
  *enc_max = m > 2000000000.0 ? 2000000000 : (int)m;
  *enc_fps = fps < OH264_MIN_FPS ? OH264_MIN_FPS : (fps > OH264_MAX_FPS ? OH264_MAX_FPS : fps);
}

static int valid_rates(int target_bps, int max_bps, float fps) {
  return target_bps >= 1000 && max_bps > target_bps && fps >= 0.01f && fps <= OH264_MAX_FPS;
}

/**
 * Creates an encoder for width x height pixels (even, 16..4096), target and peak bitrate
 * (bits per second, peak > target), frame rate (fps, 0.01..60) and level_idc (10 x the
 * H.264 level, e.g. 31 or 40). Returns NULL on failure; vigil_encoder_last_error() says why.
 */
EMSCRIPTEN_KEEPALIVE VigilEncoder* vigil_encoder_create(int width, int height, int target_bps, int max_bps, float fps,
                                                        int level_idc) {
  g_last_error = 0;
  if (width < 16 || height < 16 || width > 4096 || height > 4096 || (width & 1) || (height & 1) ||
      !valid_rates(target_bps, max_bps, fps) || level_idc < 10 || level_idc > 52) {
    g_last_error = VIGIL_ERR_ARGUMENT;
    return NULL;
  }
  VigilEncoder* self = static_cast<VigilEncoder*>(calloc(1, sizeof(VigilEncoder)));
  if (self == NULL) {
    g_last_error = VIGIL_ERR_OUT_OF_MEMORY;
    return NULL;
  }
  self->width = width;
  self->height = height;
  self->picture = (uint8_t*)malloc((size_t)width * height * 3 / 2);
  if (self->picture == NULL) {
    free(self);
    g_last_error = VIGIL_ERR_OUT_OF_MEMORY;
    return NULL;
  }
  /* Mid-grey until the first frame is written. */
  memset(self->picture, 128, (size_t)width * height * 3 / 2);

  if (WelsCreateSVCEncoder(&self->encoder) != 0 || self->encoder == NULL) {
    free(self->picture);
    free(self);
    g_last_error = VIGIL_ERR_CREATE;
    return NULL;
  }
  ISVCEncoder* enc = self->encoder;

  int trace_level = WELS_LOG_ERROR;
  enc->SetOption(ENCODER_OPTION_TRACE_LEVEL, &trace_level);

  SEncParamExt p;
  enc->GetDefaultParams(&p);
  int enc_target, enc_max;
  float enc_fps;
  scaled_rates(target_bps, max_bps, fps, &enc_target, &enc_max, &enc_fps);

  p.iUsageType = SCREEN_CONTENT_REAL_TIME;
  p.iPicWidth = width;
  p.iPicHeight = height;
  p.iTargetBitrate = enc_target;
  p.iMaxBitrate = enc_max;
  p.iRCMode = RC_BITRATE_MODE;
  p.fMaxFrameRate = enc_fps;
  p.iTemporalLayerNum = 1;
  p.iSpatialLayerNum = 1;
  p.iComplexityMode = LOW_COMPLEXITY;
  p.uiIntraPeriod = 0;
  p.iNumRefFrame = AUTO_REF_PIC_COUNT;
  p.eSpsPpsIdStrategy = CONSTANT_ID;
  p.bPrefixNalAddingCtrl = false;
  p.bEnableSSEI = false;
  p.bSimulcastAVC = false;
  p.iPaddingFlag = 0;
  p.iEntropyCodingModeFlag = 0;
  p.bEnableFrameSkip = false;
  p.bEnableLongTermReference = false;
  p.iMultipleThreadIdc = 1;
  p.bUseLoadBalancing = false;
  p.iLoopFilterDisableIdc = 0;
  p.bEnableDenoise = false;
  p.bEnableBackgroundDetection = false; /* not supported for screen content (ParamValidation) */
  p.bEnableAdaptiveQuant = false;       /* idem */
  p.bEnableFrameCroppingFlag = true;    /* 1080 lines are coded as 1088 and cropped */
  p.bEnableSceneChangeDetect = true;    /* required for screen content (ParamValidation) */

  SSpatialLayerConfig* layer = &p.sSpatialLayers[0];
  layer->iVideoWidth = width;
  layer->iVideoHeight = height;
  layer->fFrameRate = enc_fps;
  layer->iSpatialBitrate = enc_target;
  layer->iMaxSpatialBitrate = enc_max;
  layer->uiProfileIdc = PRO_BASELINE;
  layer->uiLevelIdc = (ELevelIdc)level_idc;
  layer->sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
  layer->sSliceArgument.uiSliceNum = 1;

  int rv = enc->InitializeExt(&p);
  if (rv != cmResultSuccess) {
    WelsDestroySVCEncoder(enc);
    free(self->picture);
    free(self);
    g_last_error = rv;
    return NULL;
  }
  int video_format = videoFormatI420;
  enc->SetOption(ENCODER_OPTION_DATAFORMAT, &video_format);
  return self;
}

/** The I420 input picture to fill before vigil_encoder_encode: Y (width x height), U, V (each width/2 x height/2). */
EMSCRIPTEN_KEEPALIVE uint8_t* vigil_encoder_picture(VigilEncoder* self) { return self ? self->picture : NULL; }

/** A buffer of at least `bytes` bytes for input that needs converting (NV12, RGBA); NULL when out of memory. */
EMSCRIPTEN_KEEPALIVE uint8_t* vigil_encoder_scratch(VigilEncoder* self, int bytes) {
  if (self == NULL || bytes <= 0) return NULL;
  if ((size_t)bytes > self->scratch_size) {
    uint8_t* grown = (uint8_t*)realloc(self->scratch, (size_t)bytes);
    if (grown == NULL) return NULL;
    self->scratch = grown;
    self->scratch_size = (size_t)bytes;
  }
  return self->scratch;
}

/**
 * Copies an NV12 picture of the encoder's size (Y plane + interleaved U/V plane, strides in
 * bytes) into the I420 input picture. Returns 0, or -VIGIL_ERR_ARGUMENT.
 */
EMSCRIPTEN_KEEPALIVE int vigil_encoder_nv12_to_i420(VigilEncoder* self, const uint8_t* y, int y_stride, const uint8_t* uv,
                                                    int uv_stride) {
  if (self == NULL || y == NULL || uv == NULL || y_stride < self->width || uv_stride < self->width) return -VIGIL_ERR_ARGUMENT;
  const int w = self->width, h = self->height, cw = w / 2, ch = h / 2;
  uint8_t* dy = self->picture;
  uint8_t* du = dy + (size_t)w * h;
  uint8_t* dv = du + (size_t)cw * ch;
  for (int row = 0; row < h; row++) memcpy(dy + (size_t)row * w, y + (size_t)row * y_stride, (size_t)w);
  for (int row = 0; row < ch; row++) {
    const uint8_t* s = uv + (size_t)row * uv_stride;
    uint8_t* ou = du + (size_t)row * cw;
    uint8_t* ov = dv + (size_t)row * cw;
    for (int x = 0; x < cw; x++) {
      ou[x] = s[2 * x];
      ov[x] = s[2 * x + 1];
    }
  }
  return VIGIL_OK;
}

/**
 * Converts 8-bit RGBA (bgr_order 0) or BGRA (bgr_order 1) pixels of the encoder's size (alpha
 * or padding ignored; stride in bytes) into the I420 input picture. Colour matrix ITU-R BT.601,
 * limited range (Y 16..235, Cb/Cr 16..240), the H.264 default when the SPS carries no colour
 * description (ITU-T H.264 Annex E, matrix_coefficients unspecified); chroma is the mean of
 * each 2x2 block. Returns 0, or -VIGIL_ERR_ARGUMENT.
 */
EMSCRIPTEN_KEEPALIVE int vigil_encoder_rgba_to_i420(VigilEncoder* self, const uint8_t* rgba, int stride, int bgr_order) {
  if (self == NULL || rgba == NULL || stride < self->width * 4) return -VIGIL_ERR_ARGUMENT;
  const int w = self->width, h = self->height, cw = w / 2;
  const int ri = bgr_order ? 2 : 0, bi = bgr_order ? 0 : 2;
  uint8_t* dy = self->picture;
  uint8_t* du = dy + (size_t)w * h;
  uint8_t* dv = du + (size_t)cw * (h / 2);
  for (int row = 0; row < h; row += 2) {
    const uint8_t* s0 = rgba + (size_t)row * stride;
    const uint8_t* s1 = s0 + stride;
    uint8_t* y0 = dy + (size_t)row * w;
    uint8_t* y1 = y0 + w;
    uint8_t* ou = du + (size_t)(row / 2) * cw;
    uint8_t* ov = dv + (size_t)(row / 2) * cw;
    for (int x = 0; x < w; x += 2) {
      const uint8_t* a = s0 + 4 * x;
      const uint8_t* b = a + 4;
      const uint8_t* c = s1 + 4 * x;
      const uint8_t* d = c + 4;
      int r0 = a[ri], g0 = a[1], b0 = a[bi];
      int r1 = b[ri], g1 = b[1], b1 = b[bi];
      int r2 = c[ri], g2 = c[1], b2 = c[bi];
      int r3 = d[ri], g3 = d[1], b3 = d[bi];
      y0[x] = (uint8_t)(((66 * r0 + 129 * g0 + 25 * b0 + 128) >> 8) + 16);
      y0[x + 1] = (uint8_t)(((66 * r1 + 129 * g1 + 25 * b1 + 128) >> 8) + 16);
      y1[x] = (uint8_t)(((66 * r2 + 129 * g2 + 25 * b2 + 128) >> 8) + 16);
      y1[x + 1] = (uint8_t)(((66 * r3 + 129 * g3 + 25 * b3 + 128) >> 8) + 16);
      int rs = r0 + r1 + r2 + r3, gs = g0 + g1 + g2 + g3, bs = b0 + b1 + b2 + b3; /* 4x the block mean */
      ou[x / 2] = (uint8_t)(((-38 * rs - 74 * gs + 112 * bs + 512) >> 10) + 128);
      ov[x / 2] = (uint8_t)(((112 * rs - 94 * gs - 18 * bs + 512) >> 10) + 128);
    }
  }
  return VIGIL_OK;
}

/* ---- downscaling: area average (box filter with fractional edge weights), separable ---- */

/** Fixed-point unit of the filter weights: the weights of one output sample sum to it. */
#define SCALE_ONE 16384

/**
 * Filter taps that map `src` samples onto `dst` (dst <= src): output i averages the source
 * interval [i*src/dst, (i+1)*src/dst), each source sample weighted by how much of it lies in
 * the interval. `first[i]`, `count[i]` and `weight[i*max_taps..]` describe output i.
 */
typedef struct ScaleTaps {
  int dst;
  int max_taps;
  int* first;
  int* count;
  int* weight;
} ScaleTaps;

static void free_taps(ScaleTaps* t) {
  free(t->first);
  free(t->count);
  free(t->weight);
  memset(t, 0, sizeof(*t));
}

static int make_taps(ScaleTaps* t, int src, int dst) {
  memset(t, 0, sizeof(*t));
  t->dst = dst;
  t->max_taps = src / dst + 2;
  t->first = (int*)malloc(sizeof(int) * (size_t)dst);
  t->count = (int*)malloc(sizeof(int) * (size_t)dst);
  t->weight = (int*)calloc((size_t)dst * (size_t)t->max_taps, sizeof(int));
  if (t->first == NULL || t->count == NULL || t->weight == NULL) {
    free_taps(t);
    return -VIGIL_ERR_OUT_OF_MEMORY;
  }
  for (int i = 0; i < dst; i++) {
    /* interval ends in units of 1/dst source samples: [i*src, (i+1)*src) */
    long long lo = (long long)i * src, hi = (long long)(i + 1) * src;
    int s0 = (int)(lo / dst), s1 = (int)((hi - 1) / dst);
    int n = s1 - s0 + 1, total = 0;
    t->first[i] = s0;
    t->count[i] = n;
    for (int k = 0; k < n; k++) {
      long long a = (long long)(s0 + k) * dst, b = a + dst; /* source sample s0+k covers [a, b) */
      long long overlap = (b < hi ? b : hi) - (a > lo ? a : lo);
      int w = (int)(overlap * SCALE_ONE / src);
      t->weight[i * t->max_taps + k] = w;
      total += w;
    }
    t->weight[i * t->max_taps + n / 2] += SCALE_ONE - total; /* rounding: the weights sum to SCALE_ONE */
  }
  return VIGIL_OK;
}

/**
 * Scales one plane of sw x sh samples (`step` bytes apart within a row: 1 for planar, 2 for
 * the interleaved U/V of NV12) down to dw x dh, into `dst` (stride dw). `tmp` holds dw x sh.
 */
static void scale_plane(const uint8_t* src, int src_stride, int step, int sw, int sh, uint8_t* dst, int dw, int dh,
                        const ScaleTaps* tx, const ScaleTaps* ty, uint8_t* tmp, uint32_t* acc) {
  (void)sw;
  for (int y = 0; y < sh; y++) { /* horizontal pass into tmp */
    const uint8_t* row = src + (size_t)y * src_stride;
    uint8_t* out = tmp + (size_t)y * dw;
    for (int x = 0; x < dw; x++) {
      const int* w = tx->weight + x * tx->max_taps;
      const uint8_t* s = row + (size_t)tx->first[x] * step;
      uint32_t sum = 0;
      for (int k = 0; k < tx->count[x]; k++) sum += (uint32_t)w[k] * s[k * step];
      out[x] = (uint8_t)((sum + SCALE_ONE / 2) / SCALE_ONE);
    }
  }
  for (int y = 0; y < dh; y++) { /* vertical pass */
    const int* w = ty->weight + y * ty->max_taps;
    memset(acc, 0, sizeof(uint32_t) * (size_t)dw);
    for (int k = 0; k < ty->count[y]; k++) {
      const uint8_t* row = tmp + (size_t)(ty->first[y] + k) * dw;
      uint32_t wk = (uint32_t)w[k];
      for (int x = 0; x < dw; x++) acc[x] += wk * row[x];
    }
    uint8_t* out = dst + (size_t)y * dw;
    for (int x = 0; x < dw; x++) out[x] = (uint8_t)((acc[x] + SCALE_ONE / 2) / SCALE_ONE);
  }
}

/**
 * Downscales a 4:2:0 picture of sw x sh pixels (at least the encoder's size; chroma planes
 * ceil(sw/2) x ceil(sh/2)) into the encoder's I420 input picture, averaging the source area
 * under each output sample (a box filter, which keeps downscaled text legible). Planar I420:
 * `u`, `v` with uv_step 1. NV12: `u` = the interleaved plane, `v` = u + 1, uv_step 2.
 * Returns 0, or -VIGIL_ERR_ARGUMENT / -VIGIL_ERR_OUT_OF_MEMORY.
 */
EMSCRIPTEN_KEEPALIVE int vigil_encoder_scale_to_picture(VigilEncoder* self, const uint8_t* y, int y_stride, const uint8_t* u,
                                                        const uint8_t* v, int uv_stride, int uv_step, int sw, int sh) {
  if (self == NULL || y == NULL || u == NULL || v == NULL || (uv_step != 1 && uv_step != 2) || sw < self->width ||
      sh < self->height || sw > 16384 || sh > 16384 || y_stride < sw || uv_stride < ((sw + 1) / 2) * uv_step) {
    return -VIGIL_ERR_ARGUMENT;
  }
  const int w = self->width, h = self->height, cw = w / 2, ch = h / 2;
  const int scw = (sw + 1) / 2, sch = (sh + 1) / 2;
  ScaleTaps lx, ly, cx, cy;
  uint8_t* tmp = (uint8_t*)malloc((size_t)w * sh);
  uint32_t* acc = (uint32_t*)malloc(sizeof(uint32_t) * (size_t)w);
  int err = (tmp == NULL || acc == NULL) ? -VIGIL_ERR_OUT_OF_MEMORY : VIGIL_OK;
  memset(&lx, 0, sizeof(lx));
  memset(&ly, 0, sizeof(ly));
  memset(&cx, 0, sizeof(cx));
  memset(&cy, 0, sizeof(cy));
  if (err == VIGIL_OK) err = make_taps(&lx, sw, w);
  if (err == VIGIL_OK) err = make_taps(&ly, sh, h);
  if (err == VIGIL_OK) err = make_taps(&cx, scw, cw);
  if (err == VIGIL_OK) err = make_taps(&cy, sch, ch);
  if (err == VIGIL_OK) {
    uint8_t* dy = self->picture;
    uint8_t* du = dy + (size_t)w * h;
    uint8_t* dv = du + (size_t)cw * ch;
    scale_plane(y, y_stride, 1, sw, sh, dy, w, h, &lx, &ly, tmp, acc);
    scale_plane(u, uv_stride, uv_step, scw, sch, du, cw, ch, &cx, &cy, tmp, acc);
    scale_plane(v, uv_stride, uv_step, scw, sch, dv, cw, ch, &cx, &cy, tmp, acc);
  }
  free_taps(&lx);
  free_taps(&ly);
  free_taps(&cx);
  free_taps(&cy);
  free(tmp);
  free(acc);
  return err;
}

static int append_output(VigilEncoder* self, const uint8_t* data, size_t size) {
  if (self->output_size + size > self->output_capacity) {
    size_t capacity = self->output_capacity ? self->output_capacity : 65536;
    while (capacity < self->output_size + size) capacity *= 2;
    uint8_t* grown = (uint8_t*)realloc(self->output, capacity);
    if (grown == NULL) return -VIGIL_ERR_OUT_OF_MEMORY;
    self->output = grown;
    self->output_capacity = capacity;
  }
  memcpy(self->output + self->output_size, data, size);
  self->output_size += size;
  return VIGIL_OK;
}

/**
 * Encodes the I420 input picture as one access unit. timestamp_ms: the frame's time in
 * milliseconds (OpenH264 SSourcePicture.uiTimeStamp). force_idr != 0 calls ForceIntraFrame(true)
 * first, so this access unit is an IDR with SPS and PPS in front.
 *
 * Returns the byte length of the Annex B access unit (read it at vigil_encoder_output(), with
 * 4-byte start codes), 0 when OpenH264 produced nothing (a skipped frame), or a negative error
 * (-VIGIL_ERR_* or -OpenH264 CM_RETURN code).
 */
EMSCRIPTEN_KEEPALIVE int vigil_encoder_encode(VigilEncoder* self, double timestamp_ms, int force_idr) {
  if (self == NULL) return -VIGIL_ERR_ARGUMENT;
  ISVCEncoder* enc = self->encoder;
  if (force_idr) enc->ForceIntraFrame(true);

  SSourcePicture pic;
  memset(&pic, 0, sizeof(pic));
  pic.iColorFormat = videoFormatI420;
  pic.iPicWidth = self->width;
  pic.iPicHeight = self->height;
  pic.iStride[0] = self->width;
  pic.iStride[1] = pic.iStride[2] = self->width / 2;
  pic.pData[0] = self->picture;
  pic.pData[1] = self->picture + (size_t)self->width * self->height;
  pic.pData[2] = pic.pData[1] + (size_t)(self->width / 2) * (self->height / 2);
  pic.uiTimeStamp = (long long)timestamp_ms;

  SFrameBSInfo info;
  memset(&info, 0, sizeof(info));
  self->output_size = 0;
  self->frame_type = videoFrameTypeInvalid;
  int rv = enc->EncodeFrame(&pic, &info);
  if (rv != cmResultSuccess) return rv > 0 ? -rv : (rv == 0 ? -1 : rv);
  self->frame_type = info.eFrameType;
  if (info.eFrameType == videoFrameTypeSkip || info.eFrameType == videoFrameTypeInvalid) return 0;
  for (int l = 0; l < info.iLayerNum; l++) {
    const SLayerBSInfo* layer = &info.sLayerInfo[l];
    size_t size = 0;
    for (int n = 0; n < layer->iNalCount; n++) size += (size_t)layer->pNalLengthInByte[n];
    int err = append_output(self, layer->pBsBuf, size);
    if (err != VIGIL_OK) return err;
  }
  return (int)self->output_size;
}

/** Start of the last access unit's Annex B bytes (valid until the next encode). */
EMSCRIPTEN_KEEPALIVE uint8_t* vigil_encoder_output(VigilEncoder* self) { return self ? self->output : NULL; }

/** EVideoFrameType of the last access unit: 1 IDR, 2 I, 3 P, 4 skip (codec_def.h). */
EMSCRIPTEN_KEEPALIVE int vigil_encoder_frame_type(VigilEncoder* self) { return self ? self->frame_type : 0; }

/** Makes the next access unit an IDR (OpenH264 ForceIntraFrame(true)). Returns 0 or a negative error. */
EMSCRIPTEN_KEEPALIVE int vigil_encoder_force_idr(VigilEncoder* self) {
  if (self == NULL) return -VIGIL_ERR_ARGUMENT;
  int rv = self->encoder->ForceIntraFrame(true);
  return rv == 0 ? VIGIL_OK : -rv;
}

/**
 * Changes target and peak bitrate (bits per second) and frame rate (fps) without re-creating
 * the encoder (ENCODER_OPTION_FRAME_RATE, ENCODER_OPTION_BITRATE, ENCODER_OPTION_MAX_BITRATE).
 * Returns 0 or a negative error.
 */
EMSCRIPTEN_KEEPALIVE int vigil_encoder_set_rate(VigilEncoder* self, int target_bps, int max_bps, float fps) {
  if (self == NULL || !valid_rates(target_bps, max_bps, fps)) return -VIGIL_ERR_ARGUMENT;
  ISVCEncoder* enc = self->encoder;
  int enc_target, enc_max;
  float enc_fps;
  scaled_rates(target_bps, max_bps, fps, &enc_target, &enc_max, &enc_fps);
  int rv = enc->SetOption(ENCODER_OPTION_FRAME_RATE, &enc_fps);
  if (rv != 0) return -rv;
  /* OpenH264 refuses a target at or above the peak (WelsBitRateVerification), so when the rates
     go up the peak moves first, and when they go down the target moves first. The peak is set
     on layer 0: SPATIAL_LAYER_ALL only records the total and leaves the layer's peak alone. */
  SBitrateInfo current = {SPATIAL_LAYER_0, 0};
  rv = enc->GetOption(ENCODER_OPTION_BITRATE, &current);
  if (rv != 0) return -rv;
  SBitrateInfo target = {SPATIAL_LAYER_ALL, enc_target};
  SBitrateInfo peak = {SPATIAL_LAYER_0, enc_max};
  if (enc_max > current.iBitrate) {
    rv = enc->SetOption(ENCODER_OPTION_MAX_BITRATE, &peak);
    if (rv == 0) rv = enc->SetOption(ENCODER_OPTION_BITRATE, &target);
  } else {
    rv = enc->SetOption(ENCODER_OPTION_BITRATE, &target);
    if (rv == 0) rv = enc->SetOption(ENCODER_OPTION_MAX_BITRATE, &peak);
  }
  return rv == 0 ? VIGIL_OK : -rv;
}

/** Releases the encoder and its buffers. Safe with NULL. */
EMSCRIPTEN_KEEPALIVE void vigil_encoder_destroy(VigilEncoder* self) {
  if (self == NULL) return;
  if (self->encoder != NULL) {
    self->encoder->Uninitialize();
    WelsDestroySVCEncoder(self->encoder);
  }
  free(self->picture);
  free(self->scratch);
  free(self->output);
  free(self);
}

}  // extern "C"
