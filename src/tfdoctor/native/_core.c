/* tfdoctor's native scan core: TFRecord framing, both masked CRC32C checks and the
 * tf.train.Example / SequenceExample wire format, in one pass over a block of bytes.
 *
 * It handles the common case only and hands everything else back with a stop code, so the
 * Python path (tfdoctor.io.tfrecord, tfdoctor.proto.decode) stays the single definition of
 * what a record means: a frame whose header or data CRC fails, whose length is absurd, that
 * is cut by the end of the block, or a payload that is not an Example or SequenceExample in
 * the strict form written by TensorFlow (an unknown field, a repeated oneof, a non-minimal
 * tag or length, a wide float list in pieces) is returned untouched. Every read is
 * bounds-checked.
 *
 * Statistics are updated in the same pass, per feature key, until Python drains them at each
 * flush (drain()): entries per stored kind, a table of list lengths, a table of the distinct
 * finite float values and of the int64 values with their counts, NaN and infinities, the
 * exact sums of the values and of their squares (as partials, see msum), and the record-to-
 * record order of one-number lists. tfdoctor.stats.families folds these tables exactly as it
 * folds its own buffers, so both paths give the same statistics, bit for bit.
 *
 * Output per block: each record's frame offset and payload length, and how many were
 * SequenceExamples; for keys registered with keep (labels: KEEP_ALL; keys a parse spec reads:
 * KEEP_COUNTS), each entry's kind (0 float, 1 int64, 2 bytes, 3 unset), value count and record
 * number, and its values (KEEP_ALL: float32, int64 and bytes objects; KEEP_COUNTS: int64).
 */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* gcc: -ffp-contract=off (setup.py) */
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define TFD_HAVE_SSE42 1
#endif

#ifdef _MSC_VER /* MSVC's C: no restrict keyword before /std:c11, no __builtin_clzll */
#include <intrin.h>
#define restrict __restrict
static __inline int clz64(uint64_t x) { /* x != 0 */
    unsigned long at;
    _BitScanReverse64(&at, x);
    return 63 - (int)at;
}
#else
#define clz64(x) __builtin_clzll(x)
#endif

/* ---- CRC32C ------------------------------------------------------------------------ */

static uint32_t crc_table[8][256];
static int crc_use_hw = 0;

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
#ifdef TFD_HAVE_SSE42
    __builtin_cpu_init();
    crc_use_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
}

static uint32_t crc_sw(uint32_t c, const uint8_t *p, size_t n) {
    while (n >= 8) {
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^ crc_table[5][(lo >> 16) & 0xff] ^
            crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^ crc_table[2][p[5]] ^ crc_table[1][p[6]] ^
            crc_table[0][p[7]];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    return c;
}

#ifdef TFD_HAVE_SSE42
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c32, const uint8_t *p, size_t n) {
    uint64_t c = c32;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8;
        n -= 8;
    }
    c32 = (uint32_t)c;
    while (n--) c32 = _mm_crc32_u8(c32, *p++);
    return c32;
}
#endif

static uint32_t masked_crc(const uint8_t *p, size_t n) {
    uint32_t c;
#ifdef TFD_HAVE_SSE42
    if (crc_use_hw)
        c = ~crc_hw(0xFFFFFFFFu, p, n);
    else
#endif
        c = ~crc_sw(0xFFFFFFFFu, p, n);
    return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}

static inline uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

/* ---- growable arrays ---------------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap; /* in bytes */
} Buf;

static int buf_grow(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) cap *= 2;
    char *d = PyMem_Realloc(b->data, cap);
    if (!d) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

static inline int buf_put(Buf *b, const void *src, size_t n) {
    if (b->len + n > b->cap && buf_grow(b, n) < 0) return -1;
    memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

static PyObject *buf_bytes(Buf *b) { return PyBytes_FromStringAndSize(b->data ? b->data : "", (Py_ssize_t)b->len); }

/* ---- counting tables ------------------------------------------------------------------ */

/* A counting table of 64-bit keys (a float64's bits, an int64, a list length): keys below
 * DENSE_LIMIT (token ids, labels, small counts, 0.0) are counted in a plain array, grown to
 * the largest such key seen; the others in a hash table whose slots hold key and count
 * together (one cache line per probe), a count of 0 marking an empty slot, kept at most
 * half full. */
#define DENSE_LIMIT 65536u

typedef struct {
    uint64_t key;
    int64_t count;
} Slot;

typedef struct {
    Slot *slots;
    size_t mask, used;
    uint32_t *dense; /* counts of keys 0 .. dcap-1 (at most 2**32 - 1 per drain: see run's max_bytes) */
    size_t dcap;
    /* the dense keys and the slots in use, in the order first met: a drain visits only them */
    uint32_t *seen;
    size_t nseen, capseen; /* entries: a dense key, or DENSE_LIMIT + a slot index */
} Tab;

static inline uint64_t mix64(uint64_t x) { /* SplitMix64's finaliser */
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

static inline int seen_push(Tab *t, uint32_t v) {
    if (t->nseen == t->capseen) {
        size_t cap = t->capseen ? t->capseen * 2 : 16;
        uint32_t *seen = PyMem_Realloc(t->seen, cap * sizeof(uint32_t));
        if (!seen) {
            PyErr_NoMemory();
            return -1;
        }
        t->seen = seen;
        t->capseen = cap;
    }
    t->seen[t->nseen++] = v;
    return 0;
}

static int tab_grow(Tab *t) {
    size_t cap = t->slots ? (t->mask + 1) * 2 : 16;
    if (cap > (size_t)UINT32_MAX - DENSE_LIMIT) {
        PyErr_NoMemory();
        return -1;
    }
    Slot *slots = PyMem_Calloc(cap, sizeof(Slot));
    if (!slots) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t n = 0; n < t->nseen; n++) { /* re-placed in the order met, positions renewed */
        if (t->seen[n] < DENSE_LIMIT) continue;
        Slot *old = &t->slots[t->seen[n] - DENSE_LIMIT];
        size_t j = (size_t)mix64(old->key) & (cap - 1);
        while (slots[j].count) j = (j + 1) & (cap - 1);
        slots[j] = *old;
        t->seen[n] = DENSE_LIMIT + (uint32_t)j;
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->mask = cap - 1;
    return 0;
}

static int dense_grow(Tab *t, uint64_t key) {
    size_t cap = t->dcap ? t->dcap : 16;
    while (cap <= key) cap *= 2;
    uint32_t *dense = PyMem_Realloc(t->dense, cap * sizeof(uint32_t));
    if (!dense) {
        PyErr_NoMemory();
        return -1;
    }
    memset(dense + t->dcap, 0, (cap - t->dcap) * sizeof(uint32_t));
    t->dense = dense;
    t->dcap = cap;
    return 0;
}

static inline int tab_add(Tab *t, uint64_t key, int64_t n) {
    if (key < t->dcap) {
        if (!t->dense[key] && seen_push(t, (uint32_t)key) < 0) return -1;
        t->dense[key] += (uint32_t)n;
        return 0;
    }
    if (key < DENSE_LIMIT) {
        if (dense_grow(t, key) < 0 || seen_push(t, (uint32_t)key) < 0) return -1;
        t->dense[key] += (uint32_t)n;
        return 0;
    }
    if ((t->used + 1) * 2 > (t->slots ? t->mask + 1 : 0) && tab_grow(t) < 0) return -1;
    size_t i = (size_t)mix64(key) & t->mask;
    for (;;) {
        Slot *s = &t->slots[i];
        if (s->key == key && s->count) {
            s->count += n;
            return 0;
        }
        if (!s->count) {
            if (seen_push(t, DENSE_LIMIT + (uint32_t)i) < 0) return -1;
            s->key = key;
            s->count = n;
            t->used++;
            return 0;
        }
        i = (i + 1) & t->mask;
    }
}

static void tab_clear(Tab *t) {
    for (size_t n = 0; n < t->nseen; n++) {
        uint32_t v = t->seen[n];
        if (v < DENSE_LIMIT)
            t->dense[v] = 0;
        else
            t->slots[v - DENSE_LIMIT].count = 0;
    }
    t->nseen = t->used = 0;
}

static void tab_free(Tab *t) {
    PyMem_Free(t->slots);
    PyMem_Free(t->dense);
    PyMem_Free(t->seen);
}

/* Step through every (key, count) of the table, in the order first met. `*it` starts at 0;
 * returns 0 at the end. */
static inline int tab_next(const Tab *t, size_t *it, uint64_t *key, int64_t *count) {
    if (*it >= t->nseen) return 0;
    uint32_t v = t->seen[(*it)++];
    if (v < DENSE_LIMIT) {
        *key = v;
        *count = (int64_t)t->dense[v];
    } else {
        *key = t->slots[v - DENSE_LIMIT].key;
        *count = t->slots[v - DENSE_LIMIT].count;
    }
    return 1;
}

/* The table as (keys bytes, counts bytes), 8 bytes each. */
static PyObject *tab_export(Tab *t) {
    size_t n = t->nseen;
    PyObject *keys = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    PyObject *counts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    if (!keys || !counts) {
        Py_XDECREF(keys);
        Py_XDECREF(counts);
        return NULL;
    }
    char *kp = PyBytes_AS_STRING(keys), *cp = PyBytes_AS_STRING(counts);
    size_t at = 0, it = 0;
    uint64_t key;
    int64_t count;
    while (tab_next(t, &it, &key, &count)) {
        memcpy(kp + at * 8, &key, 8);
        memcpy(cp + at * 8, &count, 8);
        at++;
    }
    return Py_BuildValue("(NN)", keys, counts);
}

/* A counting table of bytes values, in the order first met: one bytes object per distinct
 * value and drain (where Python's Counter of every value cost a copy and a SipHash each). */
typedef struct {
    PyObject *value; /* bytes */
    uint64_t hash;
    int64_t count;
} BSlot;

typedef struct {
    BSlot *slots;
    size_t mask, used;
    uint32_t *order; /* slot indexes in the order first met */
} BTab;

/* A bytes value's table hash. Past 64 bytes (images, serialized tensors): its CRC32C, which
 * the SSE4.2 instruction computes at several bytes a cycle, mixed with its length; equal
 * hashes are told apart by comparing the bytes. */
static uint64_t hash_value(const uint8_t *p, size_t n) {
#ifdef TFD_HAVE_SSE42
    if (n > 64 && crc_use_hw) return mix64(((uint64_t)n << 32) ^ crc_hw(0xFFFFFFFFu, p, n));
#endif
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ mix64(w)) * 0xff51afd7ed558ccdull;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    return mix64(h ^ w);
}

static int btab_grow(BTab *t) {
    size_t cap = t->slots ? (t->mask + 1) * 2 : 16;
    BSlot *slots = PyMem_Calloc(cap, sizeof(BSlot));
    uint32_t *order = PyMem_Realloc(t->order, (cap / 2 + 1) * sizeof(uint32_t));
    if (!slots || !order) {
        PyMem_Free(slots);
        if (order) t->order = order;
        PyErr_NoMemory();
        return -1;
    }
    t->order = order;
    for (size_t n = 0; n < t->used; n++) {
        BSlot *old = &t->slots[order[n]];
        size_t j = (size_t)old->hash & (cap - 1);
        while (slots[j].value) j = (j + 1) & (cap - 1);
        slots[j] = *old;
        order[n] = (uint32_t)j;
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->mask = cap - 1;
    return 0;
}

static int btab_add(BTab *t, const uint8_t *p, size_t n) {
    if ((t->used + 1) * 2 > (t->slots ? t->mask + 1 : 0) && btab_grow(t) < 0) return -1;
    uint64_t h = hash_value(p, n);
    size_t i = (size_t)h & t->mask;
    for (;;) {
        BSlot *s = &t->slots[i];
        if (!s->value) {
            s->value = PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n);
            if (!s->value) return -1;
            s->hash = h;
            s->count = 1;
            t->order[t->used++] = (uint32_t)i;
            return 0;
        }
        if (s->hash == h && (size_t)PyBytes_GET_SIZE(s->value) == n && memcmp(PyBytes_AS_STRING(s->value), p, n) == 0) {
            s->count++;
            return 0;
        }
        i = (i + 1) & t->mask;
    }
}

static void btab_clear(BTab *t) {
    for (size_t n = 0; n < t->used; n++) {
        BSlot *s = &t->slots[t->order[n]];
        Py_CLEAR(s->value);
        s->count = 0;
    }
    t->used = 0;
}

/* (values list, counts bytes), in the order first met; clears the table. */
static PyObject *btab_export(BTab *t) {
    PyObject *values = PyList_New((Py_ssize_t)t->used);
    PyObject *counts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(t->used * 8));
    if (!values || !counts) {
        Py_XDECREF(values);
        Py_XDECREF(counts);
        return NULL;
    }
    for (size_t n = 0; n < t->used; n++) {
        BSlot *s = &t->slots[t->order[n]];
        Py_INCREF(s->value);
        PyList_SET_ITEM(values, (Py_ssize_t)n, s->value);
        memcpy(PyBytes_AS_STRING(counts) + n * 8, &s->count, 8);
    }
    btab_clear(t);
    return Py_BuildValue("(NN)", values, counts);
}

/* ---- exact sums ----------------------------------------------------------------------- */

/* Shewchuk's partials, as CPython's math.fsum keeps them: non-overlapping doubles whose sum
 * is exactly the sum of every term added. Python rounds them once (math.fsum), with its own
 * terms of the same batch. Terms here are finite and far from overflow (float32 values and
 * int64s times counts). */
static int msum_add(Buf *b, double x) {
    double *ps = (double *)b->data;
    size_t n = b->len / sizeof(double), i = 0;
    for (size_t j = 0; j < n; j++) {
        double y = ps[j];
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        double hi = x + y;
        double lo = y - (hi - x);
        if (lo != 0.0) ps[i++] = lo;
        x = hi;
    }
    b->len = i * sizeof(double);
    if (x != 0.0) return buf_put(b, &x, sizeof(double));
    return 0;
}

/* a * b exactly, as p + e (Dekker's product: no FMA needed; exact without over/underflow). */
static inline void two_prod(double a, double b, double *p, double *e) {
    const double split = 134217729.0; /* 2**27 + 1 */
    *p = a * b;
    double t = split * a, ahi = t - (t - a), alo = a - ahi;
    t = split * b;
    double bhi = t - (t - b), blo = b - bhi;
    *e = ((ahi * bhi - *p) + ahi * blo + alo * bhi) + alo * blo;
}

static int msum_prod(Buf *b, double a, double c) {
    double p, e;
    two_prod(a, c, &p, &e);
    if (msum_add(b, p) < 0) return -1;
    return e != 0.0 ? msum_add(b, e) : 0;
}

#ifdef __SIZEOF_INT128__
/* An exact __int128 as three exact doubles, added to the partials. */
static int msum_int128(Buf *b, __int128 v) {
    const __int128 low = ((__int128)1 << 52) - 1;
    double a = (double)(int64_t)(v & low);
    double m = (double)(int64_t)((v >> 52) & low) * 4503599627370496.0;            /* 2**52 */
    double h = (double)(int64_t)(v >> 104) * 20282409603651670423947251286016.0; /* 2**104 */
    if (msum_add(b, a) < 0 || msum_add(b, m) < 0) return -1;
    return msum_add(b, h);
}
#endif


/* ---- wire format -------------------------------------------------------------------- */

/* A length varint: at most 5 bytes, minimal, and within the bytes left. 0 on failure. */
static inline int rd_len(const uint8_t **p, const uint8_t *end, size_t *out) {
    const uint8_t *q = *p;
    uint64_t v = 0;
    for (int i = 0; i < 5; i++) {
        if (q >= end) return 0;
        uint8_t b = *q++;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (i > 0 && b == 0) return 0; /* non-minimal: left to protobuf */
            if (v > (uint64_t)(end - q)) return 0;
            *p = q;
            *out = (size_t)v;
            return 1;
        }
    }
    return 0;
}

/* A value varint: at most 10 bytes, minimal, the 10th byte 0 or 1. 0 on failure. */
static inline int rd_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    const uint8_t *q = *p;
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) {
        if (q >= end) return 0;
        uint8_t b = *q++;
        if (i == 9 && b > 1) return 0;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (i > 0 && b == 0) return 0;
            *p = q;
            *out = v;
            return 1;
        }
    }
    return 0;
}

enum { K_FLOAT = 0, K_INT64 = 1, K_BYTES = 2, K_UNSET = 3 };
#define WIDE_LIST 64 /* float lists this long are "wide" (see add_wide) */
enum { ST_LIMIT = 0, ST_NEED = 1, ST_FRAMING = 2, ST_FALLBACK = 3, ST_NEWKEY = 4, ST_SPAN = 5 };
enum { D_OK = 0, D_FALLBACK = 1, D_NEWKEY = 2, D_ERROR = 3 };

typedef struct {
    int32_t key;
    int32_t kind;
    int64_t count;       /* values; a feature list's: its steps */
    const uint8_t *body; /* the list message's bytes (a FeatureList's, for a feature list) */
    size_t len;
} Entry;

enum { KEEP_NONE = 0, KEEP_ALL = 1, KEEP_COUNTS = 2 };

/* Key namespaces: an Example's features, a SequenceExample's context, its feature lists. */
enum { SEC_FEATURES = 0, SEC_CONTEXT = 1, SEC_SEQUENCE = 2 };

/* Count the values of a list message body; -1 where it is not in the strict form. */
static int64_t count_list(int kind, const uint8_t *p, const uint8_t *end) {
    int64_t n = 0, runs = 0;
    size_t len;
    uint64_t v;
    while (p < end) {
        uint8_t tag = *p++;
        if (kind == K_BYTES) {
            if (tag != 0x0A || !rd_len(&p, end, &len)) return -1;
            p += len;
            n++;
        } else if (kind == K_FLOAT) {
            runs++;
            if (tag == 0x0A) {
                if (!rd_len(&p, end, &len) || (len & 3)) return -1;
                p += len;
                n += (int64_t)(len >> 2);
            } else if (tag == 0x0D) {
                if (end - p < 4) return -1;
                p += 4;
                n++;
                runs++; /* unpacked: never one packed run */
            } else
                return -1;
        } else {
            if (tag == 0x0A) {
                if (!rd_len(&p, end, &len)) return -1;
                const uint8_t *e = p + len;
                while (p < e) {
                    if (!rd_varint(&p, e, &v)) return -1;
                    n++;
                }
            } else if (tag == 0x08) {
                if (!rd_varint(&p, end, &v)) return -1;
                n++;
            } else
                return -1;
        }
    }
    if (kind == K_FLOAT && n >= WIDE_LIST && runs != 1) return -1; /* a wide list in pieces: Python's */
    return n;
}

/* ---- the decoder object --------------------------------------------------------------- */

typedef struct {
    PyObject *key; /* bytes */
    int section;   /* SEC_* */
    int ok;        /* 1: the Python side accepted the key; 0: records holding it fall back */
    int keep;      /* KEEP_ALL: return each entry's columns and values (a label); KEEP_COUNTS:
                      its columns and int64 values only (a key a parse spec reads) */
    int touched;   /* holds columns or bytes values for this run() */
    int dirty;     /* holds statistics not drained yet */
    Buf kinds, counts, recs, floats, ints; /* columns (keep only) */
    PyObject *blobs;                        /* list, or NULL */
    /* statistics since the last drain() */
    int64_t nkind[4];
    Tab lengths;
    int64_t fcount, nan, pinf, ninf, fzeros;
    double fmin, fmax; /* of the finite floats */
    Tab ftab; /* finite float values (float64 bits, -0.0 as 0.0), of lists shorter than WIDE_LIST */
    Buf wsample; /* of wide lists: the sampled values (float64, -0.0 as 0.0), each of weight 2**SAMPLE_SHIFT */
    void *wbins;      /* wide lists: exact sums (sum_bins), allocated on first use */
    uint8_t *hll;     /* wide lists: HLL registers of every value, allocated on first use */
    int wide;         /* a wide list was met since the last drain */
    int64_t icount;
    Tab itab;
    BTab btab; /* bytes values (not keep: those go to blobs, in record order) */
    /* order of one-number lists: kinds seen (bit per kind), any other list, values */
    int omask, obad, ohave;
    double ofirst, olast;
    int64_t opairs, oup, odown;
    Tab steps; /* feature lists: time steps per record */
} Key;

typedef struct {
    PyObject_HEAD Key *keys;
    Py_ssize_t nkeys, capkeys;
    int32_t *table; /* open addressing: key index or -1 */
    size_t tmask;
    int32_t *touched;
    Py_ssize_t ntouched;
    int32_t *dirty;
    Py_ssize_t ndirty;
    Entry *tmp;
    size_t ntmp, captmp;
    int sequences; /* decode SequenceExamples (else hand them back) */
    int is_sequence; /* the record decode_example last listed is a SequenceExample */
} Decoder;

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static int32_t lookup(Decoder *d, int section, const uint8_t *p, size_t n) {
    size_t i = (size_t)(hash_bytes(p, n) + (uint64_t)section) & d->tmask;
    for (;;) {
        int32_t k = d->table[i];
        if (k < 0) return -1;
        PyObject *kb = d->keys[k].key;
        if (d->keys[k].section == section && (size_t)PyBytes_GET_SIZE(kb) == n &&
            memcmp(PyBytes_AS_STRING(kb), p, n) == 0)
            return k;
        i = (i + 1) & d->tmask;
    }
}

static int table_insert(int32_t *table, size_t mask, PyObject *kb, int section, int32_t id) {
    size_t i = (size_t)(hash_bytes((const uint8_t *)PyBytes_AS_STRING(kb), (size_t)PyBytes_GET_SIZE(kb)) +
                        (uint64_t)section) &
               mask;
    while (table[i] >= 0) i = (i + 1) & mask;
    table[i] = id;
    return 0;
}

static int tmp_push(Decoder *d, Entry e) {
    if (d->ntmp == d->captmp) {
        size_t cap = d->captmp ? d->captmp * 2 : 64;
        Entry *t = PyMem_Realloc(d->tmp, cap * sizeof(Entry));
        if (!t) {
            PyErr_NoMemory();
            return -1;
        }
        d->tmp = t;
        d->captmp = cap;
    }
    d->tmp[d->ntmp++] = e;
    return 0;
}

/* One map entry (key = 1, value = 2, each once, both there): 0 where it is not so. */
static int rd_entry(const uint8_t **pp, const uint8_t *end, const uint8_t **key, size_t *klen, const uint8_t **val,
                    size_t *vlen) {
    const uint8_t *p = *pp;
    size_t elen;
    if (*p++ != 0x0A || !rd_len(&p, end, &elen)) return 0;
    const uint8_t *eend = p + elen;
    int have_key = 0;
    *val = NULL;
    while (p < eend) {
        uint8_t tag = *p++;
        size_t l;
        if (!rd_len(&p, eend, &l)) return 0;
        if (tag == 0x0A && !have_key) {
            *key = p;
            *klen = l;
            have_key = 1;
        } else if (tag == 0x12 && *val == NULL) {
            *val = p;
            *vlen = l;
        } else
            return 0;
        p += l;
    }
    /* An entry without its key or its value is one TensorFlow's parser refuses
     * (proto.decode.entry_problem): protobuf's reading is not the whole story there. */
    if (!have_key || *val == NULL) return 0;
    *pp = p;
    return 1;
}

/* A Feature message (oneof bytes_list = 1, float_list = 2, int64_list = 3, or none): its kind,
 * list body and value count into e; 0 where it is not in the strict form. */
static int rd_feature(const uint8_t *q, const uint8_t *vend, Entry *e) {
    e->kind = K_UNSET;
    e->count = 0;
    e->body = NULL;
    e->len = 0;
    while (q < vend) {
        uint8_t tag = *q++;
        size_t l;
        if (e->body != NULL || !rd_len(&q, vend, &l)) return 0;
        if (tag == 0x0A)
            e->kind = K_BYTES;
        else if (tag == 0x12)
            e->kind = K_FLOAT;
        else if (tag == 0x1A)
            e->kind = K_INT64;
        else
            return 0;
        e->body = q;
        e->len = l;
        q += l;
    }
    if (e->body != NULL) {
        e->count = count_list(e->kind, e->body, e->body + e->len);
        if (e->count < 0) return 0;
    }
    return 1;
}

/* Check one payload and list its entries in d->tmp: an Example's features, or a
 * SequenceExample's context and feature lists (a feature list's entry: kind K_UNSET, count =
 * its steps, body = the FeatureList, each step checked here). D_NEWKEY sets nk, nklen and
 * nksec. */
static int decode_example(Decoder *d, const uint8_t *p, size_t n, const uint8_t **nk, size_t *nklen, int *nksec) {
    const uint8_t *end = p + n;
    const uint8_t *feats = NULL, *lists = NULL;
    size_t flen = 0, llen = 0;
    d->ntmp = 0;
    while (p < end) { /* Example: features = 1; SequenceExample: context = 1, feature_lists = 2 */
        uint8_t tag = *p++;
        size_t len;
        if (!rd_len(&p, end, &len)) return D_FALLBACK;
        if (tag == 0x0A && feats == NULL && lists == NULL) {
            feats = p;
            flen = len;
        } else if (tag == 0x12 && lists == NULL) {
            lists = p;
            llen = len;
        } else
            return D_FALLBACK;
        p += len;
    }
    d->is_sequence = lists != NULL;
    if (lists != NULL && !d->sequences) return D_FALLBACK;
    int section = lists != NULL ? SEC_CONTEXT : SEC_FEATURES;
    const uint8_t *key, *val;
    size_t klen, vlen;
    for (p = feats; feats != NULL && p < feats + flen;) { /* Features: repeated entry = 1 */
        if (!rd_entry(&p, feats + flen, &key, &klen, &val, &vlen)) return D_FALLBACK;
        int32_t id = lookup(d, section, key, klen);
        if (id < 0) {
            *nk = key;
            *nklen = klen;
            *nksec = section;
            return D_NEWKEY;
        }
        if (!d->keys[id].ok) return D_FALLBACK;
        Entry e;
        if (!rd_feature(val, val + vlen, &e)) return D_FALLBACK;
        e.key = id;
        if (tmp_push(d, e) < 0) return D_ERROR;
    }
    for (p = lists; lists != NULL && p < lists + llen;) { /* FeatureLists: repeated entry = 1 */
        if (!rd_entry(&p, lists + llen, &key, &klen, &val, &vlen)) return D_FALLBACK;
        int32_t id = lookup(d, SEC_SEQUENCE, key, klen);
        if (id < 0) {
            *nk = key;
            *nklen = klen;
            *nksec = SEC_SEQUENCE;
            return D_NEWKEY;
        }
        if (!d->keys[id].ok) return D_FALLBACK;
        int64_t steps = 0;
        const uint8_t *q = val, *vend = val + vlen;
        while (q < vend) { /* FeatureList: repeated Feature feature = 1 */
            size_t l;
            Entry step;
            if (*q++ != 0x0A || !rd_len(&q, vend, &l) || !rd_feature(q, q + l, &step)) return D_FALLBACK;
            q += l;
            steps++;
        }
        Entry e = {id, K_UNSET, steps, val, vlen};
        if (tmp_push(d, e) < 0) return D_ERROR;
    }
    return D_OK;
}

static void key_touch(Decoder *d, int32_t id) {
    Key *k = &d->keys[id];
    if (!k->touched) {
        k->touched = 1;
        d->touched[d->ntouched++] = id;
    }
}

static inline void order_value(Key *k, double x) {
    if (k->ohave) {
        k->opairs++;
        k->oup += x > k->olast;
        k->odown += x < k->olast;
    } else {
        k->ofirst = x;
        k->ohave = 1;
    }
    k->olast = x;
}

/* Wide float lists (WIDE_LIST values or more: embeddings, audio frames): every value counts
 * in the exact statistics (count, NaN/Inf, zeros, min, max, sums) and in the HLL registers;
 * the quantile sketch takes a sample, 1 in 2**SAMPLE_SHIFT values, each with that weight,
 * drawn by hashing (record index in the file, position in the list): the same sample whoever
 * reads the record (tfdoctor.stats.families.wide_part draws it the same way). */
#define SAMPLE_SHIFT 4 /* 1 in 16: a 4-bit draw per position */
#define HLL_LG_K 12

static inline uint64_t float_key(double x) { /* a finite or infinite float64's bits, -0.0 as 0.0 */
    if (x == 0.0) x = 0.0;
    uint64_t bits;
    memcpy(&bits, &x, 8);
    return bits;
}

static inline int add_float(Key *k, float f, int ordered) {
    double x = (double)f;
    k->fcount++;
    if (ordered) order_value(k, x);
    if (isnan(x)) {
        k->nan++;
        return 0;
    }
    if (isinf(x)) {
        if (x > 0)
            k->pinf++;
        else
            k->ninf++;
        return 0;
    }
    if (x == 0.0) k->fzeros++;
    if (x < k->fmin) k->fmin = x;
    if (x > k->fmax) k->fmax = x;
    return tab_add(&k->ftab, float_key(x), 1);
}

#define SUM_LO (-172)
#define SUM_BINS (104 - SUM_LO + 1)
#define SQ_LO (2 * SUM_LO)
#define SQ_BINS (2 * 104 - SQ_LO + 1)
/* banks of bins used in turn: neighbouring values of one binade would otherwise add to one
 * memory location back to back, each addition waiting for the last */
#define WIDE_BANKS 4
#ifdef __SIZEOF_INT128__
/* Values are first added in int64 bins, one per binade of the value, folded into the int128
 * bins every WIDE_STAGE values: a mantissa is below 2**24 and its square below 2**48, so no
 * staged bin overflows (2**15 * 2**48 < 2**63), and int64 additions cost half as much. */
#define WIDE_STAGE (1 << 15)
typedef struct {
    __int128 bins[SUM_BINS + SQ_BINS]; /* sums at [sh - SUM_LO], squares at SUM_BINS + [2 sh - SQ_LO] */
    /* staged, at [bank * (SUM_BINS + 1) + sh - SUM_LO]; each bank's extra bin takes zeros and
     * non-finite values, as 0 */
    int64_t sum[WIDE_BANKS * (SUM_BINS + 1)];
    uint64_t sq[WIDE_BANKS * (SUM_BINS + 1)];
    int64_t staged;
} WideSums;

static void wide_fold(WideSums *w) {
    for (int b = 0; b < WIDE_BANKS; b++)
        for (int i = 0; i < SUM_BINS; i++) {
            w->bins[i] += w->sum[b * (SUM_BINS + 1) + i];
            w->bins[SUM_BINS + 2 * i] += (__int128)w->sq[b * (SUM_BINS + 1) + i]; /* 2 (i + SUM_LO) - SQ_LO = 2 i */
        }
    memset(w->sum, 0, sizeof w->sum);
    memset(w->sq, 0, sizeof w->sq);
    w->staged = 0;
}
#endif

/* Wide lists run in two passes over chunks of WIDE_CHUNK values. The first is branch-free
 * over each value's float32 bits (kind counts, min and max as ordered integer keys, the
 * value's float64 bits and their hash), written so that the compiler vectorises it; the
 * second updates what is indexed by value (HLL registers, the sample, the sum bins) and
 * stays scalar. Measured on 256-float vectors: the one-pass loop spent half its time waiting
 * on the hash's multiplications value after value. */
#define WIDE_CHUNK 64
#define CANONICAL_NAN 0x7FF8000000000000ull

typedef struct {
    int64_t nan, pinf, ninf, zeros;
    int32_t lo, hi; /* ordered keys (wide_key) of the finite values: min and max */
} WideTally;

/* a float32's bits as an int32 ordered as the floats are (-0.0 and 0.0 both 0) */
static inline int32_t wide_key(uint32_t w) {
    int32_t mag = (int32_t)(w & 0x7fffffffu), sign = -(int32_t)(w >> 31);
    return (mag ^ sign) - sign;
}

static inline double wide_value(int32_t key) { /* wide_key's inverse (0 as 0.0) */
    uint32_t w = key < 0 ? 0x80000000u | (uint32_t)(-(int64_t)key) : (uint32_t)key;
    float f;
    memcpy(&f, &w, 4);
    return (double)f;
}

#if defined(__GNUC__) && __GNUC__ >= 12 && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__)
/* gcc on x86-64 Linux: a clone per instruction set, picked when the module loads */
#define TFD_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TFD_VECTOR_CLONES
#endif

/* What the second pass needs of each value, worked out in the first */
typedef struct {
    uint64_t bits[WIDE_CHUNK];  /* float64 bits (-0.0 as 0.0, one NaN) */
    int64_t mants[WIDE_CHUNK];  /* signed 24-bit mantissa (0 where not summed) */
    int64_t kept[WIDE_CHUNK];   /* 8 where sampled (bytes the sample grows by), else 0 */
    int32_t bins[WIDE_CHUNK];   /* bank * (SUM_BINS + 1) + the binade's bin (SUM_BINS: not summed) */
    int32_t regs[WIDE_CHUNK];   /* HLL register */
    int32_t ranks[WIDE_CHUNK];  /* HLL rank */
} WideChunk;

TFD_VECTOR_CLONES
static void wide_pass(const uint8_t *p, size_t m, const uint64_t *restrict draws, WideChunk *restrict c,
                      WideTally *t) {
    int64_t nan = 0, pinf = 0, ninf = 0, zeros = 0;
    int32_t lo = t->lo, hi = t->hi, los[WIDE_CHUNK], his[WIDE_CHUNK];
    uint64_t hashes[WIDE_CHUNK];
    /* masks, not branches: the loop stays vectorised */
    for (size_t j = 0; j < m; j++) {
        uint32_t w = le32(p + 4 * j); /* gcc reads it as one load where the host is little-endian */
        float f;
        memcpy(&f, &w, 4);
        double x = (double)f;
        uint64_t b;
        memcpy(&b, &x, 8);
        uint32_t mag = w & 0x7fffffffu;
        int finite = mag < 0x7f800000u, isnan_ = mag > 0x7f800000u;
        nan += isnan_;
        pinf += w == 0x7f800000u;
        ninf += w == 0xff800000u;
        zeros += mag == 0;
        int32_t key = wide_key(w);
        int32_t kept = -(int32_t)finite;
        los[j] = (key & kept) | (INT32_MAX & ~kept);
        his[j] = (key & kept) | (INT32_MIN & ~kept);
        uint64_t nanmask = -(uint64_t)isnan_;
        b &= -(uint64_t)(mag != 0);
        b = (b & ~nanmask) | (CANONICAL_NAN & nanmask);
        c->bits[j] = b;
        /* the sample: 4 bits per position, from one hash per 16 positions; finite values only */
        c->kept[j] = (int64_t)(8 * (finite & (((draws[j / 16] >> (4 * (j % 16))) & 15) == 0)));
        /* the sum bins: the float64's 24-bit mantissa, signed, in the bin of its binade */
        int64_t mant = (int64_t)(((b & 0xfffffffffffffull) >> 29) | (1u << 23));
        int64_t negative = -(int64_t)(b >> 63);
        mant = (mant ^ negative) - negative;
        int32_t bin = (int32_t)((b >> 52) & 0x7ff) - 1046 - SUM_LO;
        int32_t summed = -(int32_t)(finite & (mag != 0));
        c->mants[j] = mant & (int64_t)summed;
        c->bins[j] = (int32_t)(j % WIDE_BANKS) * (SUM_BINS + 1) + ((bin & summed) | (SUM_BINS & ~summed));
        uint64_t h = b;
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBull;
        h ^= h >> 31;
        hashes[j] = h;
    }
    /* HLL: the top bits pick a register; rank = position of the first 1 in the rest (53 where
     * the rest is all 0: the marker bit at 11 stops the count). A loop of its own: a count of
     * leading zeros vectorises with AVX-512 only, and would keep the loop above scalar. */
    for (size_t j = 0; j < m; j++) {
        c->regs[j] = (int32_t)(hashes[j] >> (64 - HLL_LG_K));
        c->ranks[j] = clz64((hashes[j] << HLL_LG_K) | (1ull << (HLL_LG_K - 1))) + 1;
    }
    for (size_t j = 0; j < m; j++) {
        lo = los[j] < lo ? los[j] : lo;
        hi = his[j] > hi ? his[j] : hi;
    }
    t->nan += nan;
    t->pinf += pinf;
    t->ninf += ninf;
    t->zeros += zeros;
    t->lo = lo;
    t->hi = hi;
}

/* A wide list's values (float32, little-endian, `n` of them at p), of record `index`. */
static int add_wide(Key *k, const uint8_t *p, size_t n, int64_t index) {
    if (!k->hll && !(k->hll = PyMem_Calloc((size_t)1 << HLL_LG_K, 1))) {
        PyErr_NoMemory();
        return -1;
    }
#ifdef __SIZEOF_INT128__
    if (!k->wbins && !(k->wbins = PyMem_Calloc(1, sizeof(WideSums)))) {
        PyErr_NoMemory();
        return -1;
    }
    WideSums *sums = (WideSums *)k->wbins;
#else
    if (!k->wbins && !(k->wbins = PyMem_Calloc(2, sizeof(Buf)))) {
        PyErr_NoMemory();
        return -1;
    }
    Buf *partials = (Buf *)k->wbins;
#endif
    /* room for every value in the sample: it is then written without a branch per value */
    if (buf_grow(&k->wsample, 8 * n) < 0) return -1;
    k->wide = 1;
    uint64_t salt = mix64((uint64_t)index);
    uint8_t *hll = k->hll;
    uint8_t *sample = (uint8_t *)k->wsample.data + k->wsample.len;
    WideTally t = {0, 0, 0, 0, INT32_MAX, INT32_MIN};
    WideChunk c;
    uint64_t draws[WIDE_CHUNK / 16];
    for (size_t j0 = 0; j0 < n; j0 += WIDE_CHUNK) {
        size_t m = n - j0 < WIDE_CHUNK ? n - j0 : WIDE_CHUNK;
        for (size_t d = 0; d < (m + 15) / 16; d++)
            draws[d] = mix64(salt + (uint64_t)((j0 / 16) + d + 1) * 0x9E3779B97F4A7C15ull);
        wide_pass(p + 4 * j0, m, draws, &c, &t);
        for (size_t i = 0; i < m; i++) {
            uint8_t rank = (uint8_t)c.ranks[i], *reg = &hll[c.regs[i]];
            *reg = rank > *reg ? rank : *reg;
            memcpy(sample, &c.bits[i], 8); /* written always, kept where drawn */
            sample += c.kept[i];
#ifdef __SIZEOF_INT128__
            int64_t mant = c.mants[i];
            sums->sum[c.bins[i]] += mant;
            sums->sq[c.bins[i]] += (uint64_t)(mant * mant);
#else
            uint64_t b = c.bits[i];
            if (((b >> 52) & 0x7ff) == 0x7ff || b == 0) continue;
            double x;
            memcpy(&x, &b, 8);
            if (msum_add(&partials[0], x) < 0 || msum_add(&partials[1], x * x) < 0) return -1;
#endif
        }
#ifdef __SIZEOF_INT128__
        if ((sums->staged += (int64_t)m) > WIDE_STAGE - WIDE_CHUNK) wide_fold(sums);
#endif
    }
    k->wsample.len = (size_t)(sample - (uint8_t *)k->wsample.data);
    k->fcount += (int64_t)n;
    k->nan += t.nan;
    k->pinf += t.pinf;
    k->ninf += t.ninf;
    k->fzeros += t.zeros;
    if (t.lo <= t.hi) { /* a finite value was met */
        double lo = wide_value(t.lo), hi = wide_value(t.hi);
        k->fmin = lo < k->fmin ? lo : k->fmin;
        k->fmax = hi > k->fmax ? hi : k->fmax;
    }
    return 0;
}

static inline int add_int(Key *k, int64_t v, int ordered) {
    k->icount++;
    if (ordered) order_value(k, (double)v);
    return tab_add(&k->itab, (uint64_t)v, 1);
}

/* A feature list's steps, as tfdoctor.stats.feature.FeatureAccumulator.add_sequence counts
 * them: the record under its first step's kind, its steps, each step's value count, and the
 * values (a step of WIDE_LIST floats or more sampled as a wide list, keyed by (index << 20) +
 * step). Checked by decode_example. */
/* A keep key's column entry (kind code, value count, record number in the block) */
static inline int put_entry(Key *k, uint8_t kind, int64_t count, int32_t rec) {
    if (buf_put(&k->kinds, &kind, 1) < 0 || buf_put(&k->counts, &count, 8) < 0 || buf_put(&k->recs, &rec, 4) < 0)
        return -1;
    return 0;
}

#define K_LIST 4       /* a column entry that stands for a feature list (count: its steps) */
#define STEP_PAIRS 16 /* distinct (kind, count) pairs of a feature list's steps listed once */

/* A feature list's statistics; for a key a parse spec reads (keep), column entries for
 * `ReadsAccumulator.add_sequence_block`: one K_LIST entry, then the steps' (kind, count) pairs
 * in step order, each the first time it comes (all of them past STEP_PAIRS distinct ones), so
 * the first step a read refuses is the first entry it refuses. */
static int emit_steps(Decoder *d, int32_t id, const Entry *e, int32_t rec, int64_t index) {
    Key *k = &d->keys[id];
    const uint8_t *q = e->body, *vend = e->body + e->len;
    int first = K_UNSET;
    uint8_t pair_kind[STEP_PAIRS];
    int64_t pair_count[STEP_PAIRS];
    int pairs = 0;
    if (tab_add(&k->steps, (uint64_t)e->count, 1) < 0) return -1;
    if (k->keep) {
        key_touch(d, id);
        if (put_entry(k, K_LIST, e->count, rec) < 0) return -1;
    }
    for (int64_t at = 0; q < vend; at++) {
        size_t l = 0, len = 0;
        uint64_t v = 0;
        q++;
        rd_len(&q, vend, &l);
        Entry st;
        rd_feature(q, q + l, &st);
        q += l;
        if (at == 0) first = st.kind;
        if (k->keep) {
            int seen = 0;
            for (int i = 0; i < pairs && !seen; i++) seen = pair_kind[i] == st.kind && pair_count[i] == st.count;
            if (!seen) {
                if (pairs < STEP_PAIRS) {
                    pair_kind[pairs] = (uint8_t)st.kind;
                    pair_count[pairs++] = st.count;
                }
                if (put_entry(k, (uint8_t)st.kind, st.count, rec) < 0) return -1;
            }
        }
        if (tab_add(&k->lengths, (uint64_t)st.count, 1) < 0) return -1;
        const uint8_t *p = st.body, *end = st.body + st.len;
        while (st.body != NULL && p < end) {
            uint8_t tag = *p++;
            if (st.kind == K_BYTES) {
                rd_len(&p, end, &len);
                if (btab_add(&k->btab, p, len) < 0) return -1;
                p += len;
            } else if (st.kind == K_FLOAT) {
                if (tag == 0x0A)
                    rd_len(&p, end, &len);
                else
                    len = 4;
                if (st.count >= WIDE_LIST) { /* one packed run (count_list): sampled, keyed by (record, step) */
                    if (add_wide(k, p, (size_t)st.count, (index << 20) + at) < 0) return -1;
                } else {
                    for (size_t j = 0; j < len; j += 4) {
                        uint32_t w = le32(p + j);
                        float f;
                        memcpy(&f, &w, 4);
                        if (add_float(k, f, 0) < 0) return -1;
                    }
                }
                p += len;
            } else if (tag == 0x0A) {
                rd_len(&p, end, &len);
                const uint8_t *pe = p + len;
                while (p < pe) {
                    rd_varint(&p, pe, &v);
                    if (add_int(k, (int64_t)v, 0) < 0) return -1;
                }
            } else {
                rd_varint(&p, end, &v);
                if (add_int(k, (int64_t)v, 0) < 0) return -1;
            }
        }
    }
    k->nkind[first]++;
    k->obad = 1; /* feature lists have no record-to-record order */
    return 0;
}

/* Update the statistics of the listed entries of record `rec` (and the columns and bytes
 * values Python takes per run). */
static int emit(Decoder *d, int32_t rec, int64_t index0) {
    for (size_t i = 0; i < d->ntmp; i++) {
        Entry *e = &d->tmp[i];
        Key *k = &d->keys[e->key];
        if (!k->dirty) {
            k->dirty = 1;
            d->dirty[d->ndirty++] = e->key;
        }
        if (k->section == SEC_SEQUENCE) {
            if (emit_steps(d, e->key, e, rec, index0 + rec) < 0) return -1;
            continue;
        }
        k->nkind[e->kind]++;
        if (tab_add(&k->lengths, (uint64_t)e->count, 1) < 0) return -1;
        if (k->omask && !(k->omask & (1 << e->kind))) k->obad = 1;
        k->omask |= 1 << e->kind;
        if (e->kind > K_INT64 || e->count != 1) k->obad = 1;
        int ordered = !k->obad;
        if (k->keep) {
            key_touch(d, e->key);
            if (put_entry(k, (uint8_t)e->kind, e->count, rec) < 0) return -1;
        }
        if (e->body == NULL) continue;
        const uint8_t *p = e->body, *end = e->body + e->len;
        size_t len = 0;
        uint64_t v = 0;
        if (e->kind == K_FLOAT) {
            if (k->keep == KEEP_ALL && buf_grow(&k->floats, (size_t)e->count * 4) < 0) return -1;
            int wide = e->count >= WIDE_LIST;
            while (p < end) {
                uint8_t tag = *p++;
                if (tag == 0x0A) {
                    rd_len(&p, end, &len);
                } else {
                    len = 4;
                }
                if (wide) { /* one packed run: count_list sends any other form back to Python */
                    if (add_wide(k, p, (size_t)e->count, index0 + rec) < 0) return -1;
                } else {
                    for (size_t j = 0; j < len; j += 4) {
                        uint32_t w = le32(p + j);
                        float f;
                        memcpy(&f, &w, 4);
                        if (add_float(k, f, ordered) < 0) return -1;
                    }
                }
                if (k->keep == KEEP_ALL) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                    memcpy(k->floats.data + k->floats.len, p, len);
#else
                    for (size_t j = 0; j < len; j += 4) {
                        uint32_t w = le32(p + j);
                        memcpy(k->floats.data + k->floats.len + j, &w, 4);
                    }
#endif
                    k->floats.len += len;
                }
                p += len;
            }
        } else if (e->kind == K_INT64) {
            if (k->keep && buf_grow(&k->ints, (size_t)e->count * 8) < 0) return -1;
            int64_t *out = k->keep ? (int64_t *)(k->ints.data + k->ints.len) : NULL;
            while (p < end) {
                uint8_t tag = *p++;
                if (tag == 0x0A) {
                    rd_len(&p, end, &len);
                    const uint8_t *pe = p + len;
                    while (p < pe) {
                        rd_varint(&p, pe, &v);
                        if (add_int(k, (int64_t)v, ordered) < 0) return -1;
                        if (out) *out++ = (int64_t)v;
                    }
                } else {
                    rd_varint(&p, end, &v);
                    if (add_int(k, (int64_t)v, ordered) < 0) return -1;
                    if (out) *out++ = (int64_t)v;
                }
            }
            if (k->keep) k->ints.len += (size_t)e->count * 8;
        } else if (k->keep != KEEP_ALL) {
            while (p < end) {
                p++;
                rd_len(&p, end, &len);
                if (btab_add(&k->btab, p, len) < 0) return -1;
                p += len;
            }
        } else {
            key_touch(d, e->key);
            if (k->blobs == NULL && !(k->blobs = PyList_New(0))) return -1;
            while (p < end) {
                p++;
                rd_len(&p, end, &len);
                PyObject *b = PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)len);
                if (!b) return -1;
                int r = PyList_Append(k->blobs, b);
                Py_DECREF(b);
                if (r < 0) return -1;
                p += len;
            }
        }
    }
    return 0;
}

static void key_reset(Key *k) {
    k->touched = 0;
    k->kinds.len = k->counts.len = k->recs.len = k->floats.len = k->ints.len = 0;
    Py_CLEAR(k->blobs);
}

static void key_clear_stats(Key *k) {
    k->dirty = 0;
    memset(k->nkind, 0, sizeof(k->nkind));
    tab_clear(&k->lengths);
    tab_clear(&k->ftab);
    tab_clear(&k->itab);
    k->wsample.len = 0;
    tab_clear(&k->steps);
    btab_clear(&k->btab);
    k->fzeros = 0;
    k->fmin = INFINITY;
    k->fmax = -INFINITY;
    if (k->wide) {
        memset(k->hll, 0, (size_t)1 << HLL_LG_K);
#ifdef __SIZEOF_INT128__
        memset(k->wbins, 0, sizeof(WideSums));
#else
        ((Buf *)k->wbins)[0].len = ((Buf *)k->wbins)[1].len = 0;
#endif
    }
    k->wide = 0;
    k->fcount = k->nan = k->pinf = k->ninf = k->icount = 0;
    k->omask = k->obad = k->ohave = 0;
    k->ofirst = k->olast = 0.0;
    k->opairs = k->oup = k->odown = 0;
}

static void Decoder_dealloc(Decoder *d) {
    for (Py_ssize_t i = 0; i < d->nkeys; i++) {
        Key *k = &d->keys[i];
        Py_XDECREF(k->key);
        Py_XDECREF(k->blobs);
        PyMem_Free(k->kinds.data);
        PyMem_Free(k->counts.data);
        PyMem_Free(k->recs.data);
        PyMem_Free(k->floats.data);
        PyMem_Free(k->ints.data);
        tab_free(&k->lengths);
        tab_free(&k->ftab);
        tab_free(&k->itab);
        PyMem_Free(k->wsample.data);
        tab_free(&k->steps);
#ifndef __SIZEOF_INT128__
        if (k->wbins) {
            PyMem_Free(((Buf *)k->wbins)[0].data);
            PyMem_Free(((Buf *)k->wbins)[1].data);
        }
#endif
        PyMem_Free(k->wbins);
        PyMem_Free(k->hll);
        btab_clear(&k->btab);
        PyMem_Free(k->btab.slots);
        PyMem_Free(k->btab.order);
    }
    PyMem_Free(d->keys);
    PyMem_Free(d->table);
    PyMem_Free(d->touched);
    PyMem_Free(d->dirty);
    PyMem_Free(d->tmp);
    Py_TYPE(d)->tp_free((PyObject *)d);
}

/* Partials of the sums of a table's values and of their squares (squares rounded to
 * float64 as NumPy's x * x; values as float64: a float32's, an int64 as NumPy's astype). */
#ifdef __SIZEOF_INT128__
/* Exact sums of float32 values in integers: a float32 x is M * 2**s with M < 2**24 and s in
 * [-172, 104] (as a float64: s = biased exponent - 1046), so x * c (c < 2**29) is an integer
 * below 2**53 times 2**s and x * x * c one below 2**77 times 2**(2s). Each is added to an
 * __int128 bin per power of two (2**50 additions before any could overflow); the bins become
 * exact doubles once, at the end. Per table entry: a few integer operations, where Shewchuk's
 * partials cost tens of nanoseconds. */

static int msum_bins(Buf *b, const __int128 *bins, int nbins, int lo) {
    for (int i = 0; i < nbins; i++) {
        if (!bins[i]) continue;
        const __int128 low = ((__int128)1 << 52) - 1;
        __int128 v = bins[i];
        int k = lo + i;
        if (msum_add(b, ldexp((double)(int64_t)(v & low), k)) < 0 ||
            msum_add(b, ldexp((double)(int64_t)((v >> 52) & low), k + 52)) < 0 ||
            msum_add(b, ldexp((double)(int64_t)(v >> 104), k + 104)) < 0)
            return -1;
    }
    return 0;
}

static int float_sums(Tab *t, Buf *sums, Buf *squares) {
    __int128 sbins[SUM_BINS], qbins[SQ_BINS];
    memset(sbins, 0, sizeof(sbins));
    memset(qbins, 0, sizeof(qbins));
    size_t it = 0;
    uint64_t bits;
    int64_t c;
    while (tab_next(t, &it, &bits, &c)) {
        int e = (int)((bits >> 52) & 0x7ff);
        if (e == 0 || e == 0x7ff || (bits & 0x1fffffffu) || c >= ((int64_t)1 << 29)) {
            /* 0.0 (adds nothing), or not a float32's value: not met from Examples, kept exact */
            double x;
            memcpy(&x, &bits, 8);
            if (x != 0.0 && (msum_prod(sums, x, (double)c) < 0 || msum_prod(squares, x * x, (double)c) < 0))
                return -1;
            continue;
        }
        int64_t m = (int64_t)(((bits & 0xfffffffffffffull) >> 29) | (1u << 23));
        if (bits >> 63) m = -m;
        int sh = e - 1046;
        sbins[sh - SUM_LO] += (__int128)m * c;
        qbins[2 * sh - SQ_LO] += (__int128)(m * m) * c;
    }
    return msum_bins(sums, sbins, SUM_BINS, SUM_LO) < 0 || msum_bins(squares, qbins, SQ_BINS, SQ_LO) < 0 ? -1 : 0;
}
#endif

static int table_sums(Tab *t, int is_int, Buf *sums, Buf *squares) {
#ifdef __SIZEOF_INT128__
    if (!is_int) return float_sums(t, sums, squares);
#endif
    int failed = 0;
    size_t it = 0;
    uint64_t key;
    int64_t c;
#ifdef __SIZEOF_INT128__
    __int128 s = 0, q = 0;
    const int64_t exact = (int64_t)1 << 53, small = (int64_t)1 << 26;
#endif
    while (!failed && tab_next(t, &it, &key, &c)) {
        double x, cd = (double)c;
        if (is_int) {
            int64_t v = (int64_t)key;
#ifdef __SIZEOF_INT128__
            if (v > -exact && v < exact) { /* exactly a double: its sums exact in integers */
                s += (__int128)v * c;
                if (v > -small && v < small) {
                    q += (__int128)(v * v) * c;
                } else {
                    x = (double)v;
                    failed = msum_prod(squares, x * x, cd) < 0;
                }
                continue;
            }
#endif
            x = (double)v;
        } else {
            memcpy(&x, &key, 8);
        }
        failed = msum_prod(sums, x, cd) < 0 || msum_prod(squares, x * x, cd) < 0;
    }
    if (failed) return -1;
#ifdef __SIZEOF_INT128__
    if (is_int && (msum_int128(sums, s) < 0 || msum_int128(squares, q) < 0)) return -1;
#endif
    return 0;
}

/* The exact sums of a key's wide lists, added to the partials. */
static int wide_sums(Key *k, Buf *sums, Buf *squares) {
    if (!k->wide) return 0;
#ifdef __SIZEOF_INT128__
    WideSums *w = (WideSums *)k->wbins;
    wide_fold(w);
    if (msum_bins(sums, w->bins, SUM_BINS, SUM_LO) < 0 || msum_bins(squares, w->bins + SUM_BINS, SQ_BINS, SQ_LO) < 0)
        return -1;
#else
    Buf *partials = (Buf *)k->wbins;
    for (int w = 0; w < 2; w++) {
        double *ps = (double *)partials[w].data;
        for (size_t i = 0; i < partials[w].len / sizeof(double); i++)
            if (msum_add(w ? squares : sums, ps[i]) < 0) return -1;
    }
#endif
    return 0;
}

static PyObject *take_bytes(Buf *b) {
    PyObject *out = buf_bytes(b);
    b->len = 0;
    return out;
}

/* drain() -> [(key id, (float, int64, bytes, unset entries), lengths table, float stats,
 * int stats, order, bytes values)] for every key holding statistics since the last drain; a table is
 * (keys bytes, counts bytes) of 8-byte items; float stats: (values, NaN, +Inf, -Inf, table
 * of finite values as float64 bits, sum partials, square partials); int stats: (values,
 * table, sum partials, square partials); order: (kinds mask, other list seen, any value,
 * first, last, pairs, up, down); bytes values: (list of distinct values in the order first
 * met, counts bytes), empty for keep keys (their values come in run()'s columns); steps: a
 * table of time steps per record (feature lists; empty for other keys). Kinds of a feature
 * list count records by their first step's kind; its lengths table counts steps. Clears them. */
static PyObject *Decoder_drain(Decoder *d, PyObject *unused) {
    PyObject *out = PyList_New(d->ndirty);
    Buf sums = {0}, squares = {0};
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < d->ndirty; i++) {
        Key *k = &d->keys[d->dirty[i]];
        PyObject *fs = NULL, *is = NULL, *fsum = NULL, *fsq = NULL, *isum = NULL, *isq = NULL, *hll = NULL;
        if (table_sums(&k->ftab, 0, &sums, &squares) < 0 || wide_sums(k, &sums, &squares) < 0 ||
            !(fsum = take_bytes(&sums)) || !(fsq = take_bytes(&squares)) ||
            table_sums(&k->itab, 1, &sums, &squares) < 0 || !(isum = take_bytes(&sums)) || !(isq = take_bytes(&squares)))
            goto fail;
        if (k->wide) {
            hll = PyBytes_FromStringAndSize((const char *)k->hll, (Py_ssize_t)1 << HLL_LG_K);
        } else {
            hll = Py_None;
            Py_INCREF(hll);
        }
        if (!hll) goto fail;
        fs = Py_BuildValue("(LLLLNNNLddNN)", (long long)k->fcount, (long long)k->nan, (long long)k->pinf,
                           (long long)k->ninf, tab_export(&k->ftab), fsum, fsq, (long long)k->fzeros, k->fmin,
                           k->fmax, take_bytes(&k->wsample), hll);
        fsum = fsq = hll = NULL;
        if (!fs) goto fail;
        is = Py_BuildValue("(LNNN)", (long long)k->icount, tab_export(&k->itab), isum, isq);
        isum = isq = NULL;
        if (!is) goto fail;
        PyObject *t = Py_BuildValue("(i(LLLL)NNN(iiiddLLL)NN)", d->dirty[i], (long long)k->nkind[0],
                                    (long long)k->nkind[1], (long long)k->nkind[2], (long long)k->nkind[3],
                                    tab_export(&k->lengths), fs, is, k->omask, k->obad, k->ohave, k->ofirst,
                                    k->olast, (long long)k->opairs, (long long)k->oup, (long long)k->odown,
                                    btab_export(&k->btab), tab_export(&k->steps));
        fs = is = NULL;
        if (!t) goto fail;
        PyList_SET_ITEM(out, i, t);
        key_clear_stats(k);
        continue;
    fail:
        Py_XDECREF(fs);
        Py_XDECREF(is);
        Py_XDECREF(fsum);
        Py_XDECREF(fsq);
        Py_XDECREF(isum);
        Py_XDECREF(isq);
        Py_XDECREF(hll);
        Py_DECREF(out);
        PyMem_Free(sums.data);
        PyMem_Free(squares.data);
        return NULL;
    }
    d->ndirty = 0;
    PyMem_Free(sums.data);
    PyMem_Free(squares.data);
    return out;
}

static PyObject *Decoder_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *names[] = {"sequences", NULL};
    int sequences = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p", names, &sequences)) return NULL;
    Decoder *d = (Decoder *)type->tp_alloc(type, 0);
    if (!d) return NULL;
    d->sequences = sequences;
    d->tmask = 63;
    d->table = PyMem_Malloc(64 * sizeof(int32_t));
    if (!d->table) {
        Py_DECREF(d);
        return PyErr_NoMemory();
    }
    memset(d->table, 0xff, 64 * sizeof(int32_t));
    return (PyObject *)d;
}

static PyObject *Decoder_register(Decoder *d, PyObject *args) {
    PyObject *key;
    int ok, keep = 0, section = SEC_FEATURES;
    if (!PyArg_ParseTuple(args, "O!p|ii", &PyBytes_Type, &key, &ok, &keep, &section)) return NULL;
    if (keep < KEEP_NONE || keep > KEEP_COUNTS) return PyErr_Format(PyExc_ValueError, "no such keep");
    if (section < SEC_FEATURES || section > SEC_SEQUENCE) return PyErr_Format(PyExc_ValueError, "no such section");
    if (section == SEC_SEQUENCE && keep) keep = KEEP_COUNTS; /* feature lists: emit_steps' entries only */
    int32_t found = lookup(d, section, (const uint8_t *)PyBytes_AS_STRING(key), (size_t)PyBytes_GET_SIZE(key));
    if (found >= 0) {
        d->keys[found].ok = ok;
        d->keys[found].keep = keep;
        return PyLong_FromLong(found);
    }
    if (d->nkeys >= INT32_MAX / 4) return PyErr_Format(PyExc_OverflowError, "too many feature keys");
    if (d->nkeys == d->capkeys) {
        Py_ssize_t cap = d->capkeys ? d->capkeys * 2 : 16;
        Key *keys = PyMem_Realloc(d->keys, (size_t)cap * sizeof(Key));
        if (keys) d->keys = keys;
        int32_t *touched = PyMem_Realloc(d->touched, (size_t)cap * sizeof(int32_t));
        if (touched) d->touched = touched;
        int32_t *dirty = PyMem_Realloc(d->dirty, (size_t)cap * sizeof(int32_t));
        if (dirty) d->dirty = dirty;
        if (!keys || !touched || !dirty) return PyErr_NoMemory();
        d->capkeys = cap;
    }
    if ((size_t)(d->nkeys + 1) * 2 > d->tmask + 1) { /* keep the table at most half full */
        size_t size = (d->tmask + 1) * 2;
        int32_t *table = PyMem_Malloc(size * sizeof(int32_t));
        if (!table) return PyErr_NoMemory();
        memset(table, 0xff, size * sizeof(int32_t));
        for (Py_ssize_t i = 0; i < d->nkeys; i++)
            table_insert(table, size - 1, d->keys[i].key, d->keys[i].section, (int32_t)i);
        PyMem_Free(d->table);
        d->table = table;
        d->tmask = size - 1;
    }
    Key *k = &d->keys[d->nkeys];
    memset(k, 0, sizeof(Key));
    Py_INCREF(key);
    k->key = key;
    k->ok = ok;
    k->keep = keep;
    k->section = section;
    k->fmin = INFINITY;
    k->fmax = -INFINITY;
    table_insert(d->table, d->tmask, key, section, (int32_t)d->nkeys);
    return PyLong_FromSsize_t(d->nkeys++);
}

/* run(buf, start, max_records, max_bytes, max_record_bytes, first_index=0, span_end=-1)
 * -> (stop, pos, records, info, offsets, lengths, columns, sequence examples, sequence flags)
 * Frames and decodes records from buf[start:] until a stop: ST_LIMIT (max_records records,
 * or payload bytes reaching max_bytes), ST_NEED (info: bytes needed from pos for the next
 * frame), ST_FRAMING (the frame at pos fails a check: the Python reader takes over there),
 * ST_FALLBACK (the frame at pos is sound; info: its payload length, for the Python parser),
 * ST_NEWKEY (info: (section, key) the frame at pos holds, not registered yet), ST_SPAN (the
 * frame at pos starts at span_end or later and checks out: the next worker's part of a file
 * split across workers begins with it; a frame there that fails a check is ST_FRAMING, so
 * its problem is reported by this part, before the next one's first record). pos is the
 * offset of the first frame not consumed. offsets/lengths: int64 per record (frame offset in
 * buf, payload length). columns: (key id, kinds u8, counts i64, recs i32, floats f32, ints
 * i64, bytes values list or None) per key registered with keep (KEEP_COUNTS: no float or
 * bytes values) or with bytes values in blobs (the first five None for the others); a
 * feature list's entries are emit_steps'. Sequence flags: u8 per record, 1 for a
 * SequenceExample. Statistics accumulate until drain(). */
static PyObject *Decoder_run(Decoder *d, PyObject *args) {
    PyObject *obj;
    Py_ssize_t start, max_records;
    long long max_bytes, max_record_bytes, first_index = 0;
    Py_ssize_t span_end = -1;
    if (!PyArg_ParseTuple(args, "OnnLL|Ln", &obj, &start, &max_records, &max_bytes, &max_record_bytes, &first_index,
                          &span_end))
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) return NULL;
    if (start < 0 || start > view.len) {
        PyBuffer_Release(&view);
        return PyErr_Format(PyExc_ValueError, "start outside the buffer");
    }
    const uint8_t *base = (const uint8_t *)view.buf;
    size_t pos = (size_t)start, end = (size_t)view.len;
    Buf offsets = {0}, lengths = {0}, seqflags = {0};
    int stop = ST_LIMIT;
    PyObject *info = NULL, *result = NULL, *columns = NULL;
    Py_ssize_t nrec = 0, nseq = 0;
    long long payload_bytes = 0;
    for (Py_ssize_t i = 0; i < d->ntouched; i++) key_reset(&d->keys[d->touched[i]]);
    d->ntouched = 0;

    for (;;) {
        if (nrec >= max_records || (nrec > 0 && payload_bytes >= max_bytes)) {
            stop = ST_LIMIT;
            break;
        }
        if (end - pos < 12) {
            stop = ST_NEED;
            info = PyLong_FromLong(12);
            break;
        }
        const uint8_t *h = base + pos;
        uint64_t length = le64(h);
        if (masked_crc(h, 8) != le32(h + 8) || length > (uint64_t)max_record_bytes ||
            length > (uint64_t)PY_SSIZE_T_MAX - 16) {
            stop = ST_FRAMING;
            break;
        }
        size_t total = 12 + (size_t)length + 4;
        if (end - pos < total) {
            stop = ST_NEED;
            info = PyLong_FromSize_t(total);
            break;
        }
        if (masked_crc(h + 12, (size_t)length) != le32(h + 12 + length)) {
            stop = ST_FRAMING;
            break;
        }
        if (span_end >= 0 && pos >= (size_t)span_end) {
            stop = ST_SPAN;
            break;
        }
        const uint8_t *nk = NULL;
        size_t nklen = 0;
        int nksec = SEC_FEATURES;
        int r = decode_example(d, h + 12, (size_t)length, &nk, &nklen, &nksec);
        if (r == D_ERROR) goto fail;
        if (r == D_FALLBACK) {
            stop = ST_FALLBACK;
            info = PyLong_FromSize_t((size_t)length);
            break;
        }
        if (r == D_NEWKEY) {
            stop = ST_NEWKEY;
            info = Py_BuildValue("(iy#)", nksec, (const char *)nk, (Py_ssize_t)nklen);
            break;
        }
        if (emit(d, (int32_t)nrec, (int64_t)first_index) < 0) goto fail;
        nseq += d->is_sequence;
        int64_t off = (int64_t)pos, ln = (int64_t)length;
        uint8_t is_seq = (uint8_t)d->is_sequence;
        if (buf_put(&offsets, &off, 8) < 0 || buf_put(&lengths, &ln, 8) < 0 || buf_put(&seqflags, &is_seq, 1) < 0)
            goto fail;
        nrec++;
        payload_bytes += (long long)length;
        pos += total;
    }
    if (info == NULL) {
        if (PyErr_Occurred()) goto fail;
        info = Py_None;
        Py_INCREF(info);
    }
    columns = PyList_New(d->ntouched);
    if (!columns) goto fail;
    for (Py_ssize_t i = 0; i < d->ntouched; i++) {
        Key *k = &d->keys[d->touched[i]];
        PyObject *blobs = k->blobs ? k->blobs : Py_None;
        PyObject *t = k->keep ? Py_BuildValue("(iNNNNNO)", d->touched[i], buf_bytes(&k->kinds), buf_bytes(&k->counts),
                                              buf_bytes(&k->recs), buf_bytes(&k->floats), buf_bytes(&k->ints), blobs)
                              : Py_BuildValue("(iOOOOOO)", d->touched[i], Py_None, Py_None, Py_None, Py_None,
                                              Py_None, blobs);
        if (!t) goto fail;
        PyList_SET_ITEM(columns, i, t);
        key_reset(k);
    }
    d->ntouched = 0;
    result = Py_BuildValue("(innNNNNnN)", stop, (Py_ssize_t)pos, nrec, info, buf_bytes(&offsets), buf_bytes(&lengths),
                           columns, nseq, buf_bytes(&seqflags));
    info = columns = NULL;
fail:
    Py_XDECREF(info);
    Py_XDECREF(columns);
    PyMem_Free(offsets.data);
    PyMem_Free(lengths.data);
    PyMem_Free(seqflags.data);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef Decoder_methods[] = {
    {"register", (PyCFunction)Decoder_register, METH_VARARGS,
     "register(key, ok, keep=0, section=0) -> id: a feature key the Python side has checked; ok=False "
     "makes the records holding it fall back to the Python path; keep=1 returns its entries' "
     "columns and values from run() (labels), keep=2 the columns and int64 values (spec reads); a "
     "feature list's (section 2) keep: its list and step entries (emit_steps)."},
    {"run", (PyCFunction)Decoder_run, METH_VARARGS,
     "run(buf, start, max_records, max_bytes, max_record_bytes, first_index=0, span_end=-1): first_index "
     "is the file's index of the block's first record (wide lists' samples hash it); span_end: stop "
     "before a sound frame starting there or later (a part of a split file)"},
    {"drain", (PyCFunction)Decoder_drain, METH_NOARGS,
     "drain() -> per key, the statistics gathered since the last drain (and clears them)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject DecoderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tfdoctor.native._core.Decoder",
    .tp_basicsize = sizeof(Decoder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Frames, checks and decodes TFRecord Examples from blocks of bytes.",
    .tp_new = Decoder_new,
    .tp_dealloc = (destructor)Decoder_dealloc,
    .tp_methods = Decoder_methods,
};

static PyObject *py_masked_crc(PyObject *self, PyObject *arg) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    uint32_t c = masked_crc((const uint8_t *)view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(c);
}

static PyMethodDef module_methods[] = {
    {"masked_crc", py_masked_crc, METH_O, "TensorFlow's masked CRC32C of a bytes-like object."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_core", "tfdoctor's native scan core.", -1,
                                    module_methods};

PyMODINIT_FUNC PyInit__core(void) {
    crc_init();
    if (PyType_Ready(&DecoderType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&DecoderType);
    if (PyModule_AddObject(m, "Decoder", (PyObject *)&DecoderType) < 0) {
        Py_DECREF(&DecoderType);
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddStringConstant(m, "CRC", crc_use_hw ? "sse4.2" : "table");
    PyModule_AddIntConstant(m, "LIMIT", ST_LIMIT);
    PyModule_AddIntConstant(m, "NEED", ST_NEED);
    PyModule_AddIntConstant(m, "FRAMING", ST_FRAMING);
    PyModule_AddIntConstant(m, "FALLBACK", ST_FALLBACK);
    PyModule_AddIntConstant(m, "NEWKEY", ST_NEWKEY);
    PyModule_AddIntConstant(m, "SPAN", ST_SPAN);
    return m;
}
