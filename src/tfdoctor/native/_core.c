/* tfdoctor's native scan core: TFRecord framing, both masked CRC32C checks and the
 * tf.train.Example wire format, in one pass over a block of bytes.
 *
 * It handles the common case only and hands everything else back with a stop code, so the
 * Python path (tfdoctor.io.tfrecord, tfdoctor.proto.decode) stays the single definition of
 * what a record means: a frame whose header or data CRC fails, whose length is absurd, that
 * is cut by the end of the block, or a payload that is not a plain Example in the strict
 * form written by TensorFlow (a SequenceExample, an unknown field, a repeated oneof, a
 * non-minimal tag or length) is returned untouched. Every read is bounds-checked.
 *
 * Output per block, per feature key: each entry's kind (0 float, 1 int64, 2 bytes,
 * 3 unset), value count and record number, and the values (float32, int64, a list of bytes
 * objects), in record order; plus each record's frame offset and payload length.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define TFD_HAVE_SSE42 1
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
enum { ST_LIMIT = 0, ST_NEED = 1, ST_FRAMING = 2, ST_FALLBACK = 3, ST_NEWKEY = 4 };
enum { D_OK = 0, D_FALLBACK = 1, D_NEWKEY = 2, D_ERROR = 3 };

typedef struct {
    int32_t key;
    int32_t kind;
    int64_t count;
    const uint8_t *body; /* the list message's bytes */
    size_t len;
} Entry;

/* Count the values of a list message body; -1 where it is not in the strict form. */
static int64_t count_list(int kind, const uint8_t *p, const uint8_t *end) {
    int64_t n = 0;
    size_t len;
    uint64_t v;
    while (p < end) {
        uint8_t tag = *p++;
        if (kind == K_BYTES) {
            if (tag != 0x0A || !rd_len(&p, end, &len)) return -1;
            p += len;
            n++;
        } else if (kind == K_FLOAT) {
            if (tag == 0x0A) {
                if (!rd_len(&p, end, &len) || (len & 3)) return -1;
                p += len;
                n += (int64_t)(len >> 2);
            } else if (tag == 0x0D) {
                if (end - p < 4) return -1;
                p += 4;
                n++;
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
    return n;
}

/* ---- the decoder object --------------------------------------------------------------- */

typedef struct {
    PyObject *key; /* bytes */
    int ok;        /* 1: the Python side accepted the key; 0: records holding it fall back */
    int touched;
    Buf kinds, counts, recs, floats, ints;
    PyObject *blobs; /* list, or NULL */
} Key;

typedef struct {
    PyObject_HEAD Key *keys;
    Py_ssize_t nkeys, capkeys;
    int32_t *table; /* open addressing: key index or -1 */
    size_t tmask;
    int32_t *touched;
    Py_ssize_t ntouched;
    Entry *tmp;
    size_t ntmp, captmp;
} Decoder;

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static int32_t lookup(Decoder *d, const uint8_t *p, size_t n) {
    size_t i = (size_t)hash_bytes(p, n) & d->tmask;
    for (;;) {
        int32_t k = d->table[i];
        if (k < 0) return -1;
        PyObject *kb = d->keys[k].key;
        if ((size_t)PyBytes_GET_SIZE(kb) == n && memcmp(PyBytes_AS_STRING(kb), p, n) == 0) return k;
        i = (i + 1) & d->tmask;
    }
}

static int table_insert(int32_t *table, size_t mask, PyObject *kb, int32_t id) {
    size_t i = (size_t)hash_bytes((const uint8_t *)PyBytes_AS_STRING(kb), (size_t)PyBytes_GET_SIZE(kb)) & mask;
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

/* Check one payload and list its entries in d->tmp. D_NEWKEY sets nk and nklen. */
static int decode_example(Decoder *d, const uint8_t *p, size_t n, const uint8_t **nk, size_t *nklen) {
    const uint8_t *end = p + n;
    d->ntmp = 0;
    int seen_features = 0;
    while (p < end) {
        size_t len;
        if (*p++ != 0x0A || seen_features || !rd_len(&p, end, &len)) return D_FALLBACK;
        seen_features = 1;
        const uint8_t *fend = p + len;
        while (p < fend) { /* Features: repeated entry = 1 */
            size_t elen;
            if (*p++ != 0x0A || !rd_len(&p, fend, &elen)) return D_FALLBACK;
            const uint8_t *eend = p + elen;
            const uint8_t *key = (const uint8_t *)"";
            size_t klen = 0;
            const uint8_t *val = NULL;
            size_t vlen = 0;
            int have_key = 0;
            while (p < eend) {
                uint8_t tag = *p++;
                size_t l;
                if (!rd_len(&p, eend, &l)) return D_FALLBACK;
                if (tag == 0x0A && !have_key) {
                    key = p;
                    klen = l;
                    have_key = 1;
                } else if (tag == 0x12 && val == NULL) {
                    val = p;
                    vlen = l;
                } else
                    return D_FALLBACK;
                p += l;
            }
            /* An entry without its key or its value is one TensorFlow's parser refuses
             * (proto.decode.entry_problem): protobuf's reading is not the whole story there. */
            if (!have_key || val == NULL) return D_FALLBACK;
            int32_t id = lookup(d, key, klen);
            if (id < 0) {
                *nk = key;
                *nklen = klen;
                return D_NEWKEY;
            }
            if (!d->keys[id].ok) return D_FALLBACK;
            Entry e = {id, K_UNSET, 0, NULL, 0};
            if (val != NULL) {
                const uint8_t *q = val, *vend = val + vlen;
                while (q < vend) { /* Feature: oneof bytes_list = 1, float_list = 2, int64_list = 3 */
                    uint8_t tag = *q++;
                    size_t l;
                    if (e.body != NULL || !rd_len(&q, vend, &l)) return D_FALLBACK;
                    if (tag == 0x0A)
                        e.kind = K_BYTES;
                    else if (tag == 0x12)
                        e.kind = K_FLOAT;
                    else if (tag == 0x1A)
                        e.kind = K_INT64;
                    else
                        return D_FALLBACK;
                    e.body = q;
                    e.len = l;
                    q += l;
                }
                if (e.body != NULL) {
                    e.count = count_list(e.kind, e.body, e.body + e.len);
                    if (e.count < 0) return D_FALLBACK;
                }
            }
            if (tmp_push(d, e) < 0) return D_ERROR;
        }
    }
    return D_OK;
}

static int key_touch(Decoder *d, int32_t id) {
    Key *k = &d->keys[id];
    if (!k->touched) {
        k->touched = 1;
        d->touched[d->ntouched++] = id;
    }
    return 0;
}

/* Append the listed entries of record `rec` to their keys' columns. */
static int emit(Decoder *d, int32_t rec) {
    for (size_t i = 0; i < d->ntmp; i++) {
        Entry *e = &d->tmp[i];
        Key *k = &d->keys[e->key];
        key_touch(d, e->key);
        uint8_t kind = (uint8_t)e->kind;
        if (buf_put(&k->kinds, &kind, 1) < 0 || buf_put(&k->counts, &e->count, 8) < 0 ||
            buf_put(&k->recs, &rec, 4) < 0)
            return -1;
        if (e->body == NULL) continue;
        const uint8_t *p = e->body, *end = e->body + e->len;
        size_t len = 0;
        uint64_t v = 0;
        if (e->kind == K_FLOAT) {
            if (buf_grow(&k->floats, (size_t)e->count * 4) < 0) return -1;
            while (p < end) {
                uint8_t tag = *p++;
                if (tag == 0x0A) {
                    rd_len(&p, end, &len);
                } else {
                    len = 4;
                }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                memcpy(k->floats.data + k->floats.len, p, len);
#else
                for (size_t j = 0; j < len; j += 4) {
                    uint32_t w = le32(p + j);
                    memcpy(k->floats.data + k->floats.len + j, &w, 4);
                }
#endif
                k->floats.len += len;
                p += len;
            }
        } else if (e->kind == K_INT64) {
            if (buf_grow(&k->ints, (size_t)e->count * 8) < 0) return -1;
            int64_t *out = (int64_t *)(k->ints.data + k->ints.len);
            while (p < end) {
                uint8_t tag = *p++;
                if (tag == 0x0A) {
                    rd_len(&p, end, &len);
                    const uint8_t *pe = p + len;
                    while (p < pe) {
                        rd_varint(&p, pe, &v);
                        *out++ = (int64_t)v;
                    }
                } else {
                    rd_varint(&p, end, &v);
                    *out++ = (int64_t)v;
                }
            }
            k->ints.len += (size_t)e->count * 8;
        } else {
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
    }
    PyMem_Free(d->keys);
    PyMem_Free(d->table);
    PyMem_Free(d->touched);
    PyMem_Free(d->tmp);
    Py_TYPE(d)->tp_free((PyObject *)d);
}

static PyObject *Decoder_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    Decoder *d = (Decoder *)type->tp_alloc(type, 0);
    if (!d) return NULL;
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
    int ok;
    if (!PyArg_ParseTuple(args, "O!p", &PyBytes_Type, &key, &ok)) return NULL;
    int32_t found = lookup(d, (const uint8_t *)PyBytes_AS_STRING(key), (size_t)PyBytes_GET_SIZE(key));
    if (found >= 0) {
        d->keys[found].ok = ok;
        return PyLong_FromLong(found);
    }
    if (d->nkeys >= INT32_MAX / 4) return PyErr_Format(PyExc_OverflowError, "too many feature keys");
    if (d->nkeys == d->capkeys) {
        Py_ssize_t cap = d->capkeys ? d->capkeys * 2 : 16;
        Key *keys = PyMem_Realloc(d->keys, (size_t)cap * sizeof(Key));
        int32_t *touched = PyMem_Realloc(d->touched, (size_t)cap * sizeof(int32_t));
        if (keys) d->keys = keys;
        if (touched) d->touched = touched;
        if (!keys || !touched) return PyErr_NoMemory();
        d->capkeys = cap;
    }
    if ((size_t)(d->nkeys + 1) * 2 > d->tmask + 1) { /* keep the table at most half full */
        size_t size = (d->tmask + 1) * 2;
        int32_t *table = PyMem_Malloc(size * sizeof(int32_t));
        if (!table) return PyErr_NoMemory();
        memset(table, 0xff, size * sizeof(int32_t));
        for (Py_ssize_t i = 0; i < d->nkeys; i++) table_insert(table, size - 1, d->keys[i].key, (int32_t)i);
        PyMem_Free(d->table);
        d->table = table;
        d->tmask = size - 1;
    }
    Key *k = &d->keys[d->nkeys];
    memset(k, 0, sizeof(Key));
    Py_INCREF(key);
    k->key = key;
    k->ok = ok;
    table_insert(d->table, d->tmask, key, (int32_t)d->nkeys);
    return PyLong_FromSsize_t(d->nkeys++);
}

/* run(buf, start, max_records, max_bytes, max_record_bytes)
 * -> (stop, pos, records, info, offsets, lengths, columns)
 * Frames and decodes records from buf[start:] until a stop: ST_LIMIT (max_records records,
 * or payload bytes reaching max_bytes), ST_NEED (info: bytes needed from pos for the next
 * frame), ST_FRAMING (the frame at pos fails a check: the Python reader takes over there),
 * ST_FALLBACK (the frame at pos is sound; info: its payload length, for the Python parser),
 * ST_NEWKEY (info: a key the frame at pos holds that is not registered yet). pos is the
 * offset of the first frame not consumed. offsets/lengths: int64 per record (frame offset in
 * buf, payload length). columns: (key id, kinds u8, counts i64, recs i32, floats f32, ints
 * i64, bytes values list or None) per key present in the block. */
static PyObject *Decoder_run(Decoder *d, PyObject *args) {
    PyObject *obj;
    Py_ssize_t start, max_records;
    long long max_bytes, max_record_bytes;
    if (!PyArg_ParseTuple(args, "OnnLL", &obj, &start, &max_records, &max_bytes, &max_record_bytes))
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) return NULL;
    if (start < 0 || start > view.len) {
        PyBuffer_Release(&view);
        return PyErr_Format(PyExc_ValueError, "start outside the buffer");
    }
    const uint8_t *base = (const uint8_t *)view.buf;
    size_t pos = (size_t)start, end = (size_t)view.len;
    Buf offsets = {0}, lengths = {0};
    int stop = ST_LIMIT;
    PyObject *info = NULL, *result = NULL, *columns = NULL;
    Py_ssize_t nrec = 0;
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
        const uint8_t *nk = NULL;
        size_t nklen = 0;
        int r = decode_example(d, h + 12, (size_t)length, &nk, &nklen);
        if (r == D_ERROR) goto fail;
        if (r == D_FALLBACK) {
            stop = ST_FALLBACK;
            info = PyLong_FromSize_t((size_t)length);
            break;
        }
        if (r == D_NEWKEY) {
            stop = ST_NEWKEY;
            info = PyBytes_FromStringAndSize((const char *)nk, (Py_ssize_t)nklen);
            break;
        }
        if (emit(d, (int32_t)nrec) < 0) goto fail;
        int64_t off = (int64_t)pos, ln = (int64_t)length;
        if (buf_put(&offsets, &off, 8) < 0 || buf_put(&lengths, &ln, 8) < 0) goto fail;
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
        PyObject *t = Py_BuildValue("(iNNNNNO)", d->touched[i], buf_bytes(&k->kinds), buf_bytes(&k->counts),
                                    buf_bytes(&k->recs), buf_bytes(&k->floats), buf_bytes(&k->ints), blobs);
        if (!t) goto fail;
        PyList_SET_ITEM(columns, i, t);
        key_reset(k);
    }
    d->ntouched = 0;
    result = Py_BuildValue("(innNNNN)", stop, (Py_ssize_t)pos, nrec, info, buf_bytes(&offsets), buf_bytes(&lengths),
                           columns);
    info = columns = NULL;
fail:
    Py_XDECREF(info);
    Py_XDECREF(columns);
    PyMem_Free(offsets.data);
    PyMem_Free(lengths.data);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef Decoder_methods[] = {
    {"register", (PyCFunction)Decoder_register, METH_VARARGS,
     "register(key, ok) -> id: a feature key the Python side has checked; ok=False makes the "
     "records holding it fall back to the Python path."},
    {"run", (PyCFunction)Decoder_run, METH_VARARGS, "run(buf, start, max_records, max_bytes, max_record_bytes)"},
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
    return m;
}
