/*  metrics.h — Prometheus metrics registry (text exposition format 0.0.4).
 *
 *  One registry per daemon.  Families (a metric name, its help text, its
 *  kind and up to ENT_METRICS_MAX_LABELS label names) are registered once at
 *  start.  A family hands out one child handle per label-value tuple; the
 *  caller looks a child up once and keeps the pointer, so that the hot path
 *  (counting every RPC by method and status code) is a plain add on memory
 *  the caller already holds: no lookup, no lock, no atomic.
 *
 *  THREADING.  A registry is confined to ONE thread: the daemon's libuv loop
 *  thread, which is both the only writer and the thread that renders (the
 *  HTTP endpoint runs on the same loop).  Nothing here locks; using a
 *  registry or any of its handles from a second thread is a data race.
 *
 *  OWNERSHIP.  The registry owns every family and child it hands out.
 *  Handles stay valid until ent_metrics_destroy() and must not be freed by
 *  the caller.
 *
 *  NAMES.  Metric names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
 *  [a-zA-Z_][a-zA-Z0-9_]* and must not start with "__" (reserved by
 *  Prometheus).  Counter names must end in "_total" (the caller writes the
 *  full name; the registry refuses anything else so that promtool's lint
 *  stays clean).  Help text is required.  Names must be unique in the
 *  registry, including the _bucket/_sum/_count series of histograms.
 *
 *  OUTPUT.  ent_metrics_render() writes user families in registration
 *  order, then the built-in families every registry carries:
 *      <prefix>_build_info{version="..."} 1
 *      process_cpu_seconds_total            (utime + stime, /proc/self/stat)
 *      process_resident_memory_bytes        (/proc/self/statm)
 *      process_start_time_seconds           (/proc/self/stat + /proc/stat btime)
 *      process_open_fds                     (entries of /proc/self/fd)
 *  Children are written in creation order.
 *
 *  ERRORS.  Functions returning a pointer return NULL on failure and set
 *  errno; functions returning int return 0 or an errno value (LMDB style).
 *  The hot-path operations (inc/add/set/observe) accept a NULL handle and
 *  do nothing, so a daemon whose registration failed at start cannot crash
 *  on it later.
 */
#ifndef ENT_METRICS_H
#define ENT_METRICS_H

#include <stddef.h>

#define ENT_METRICS_MAX_LABELS 3
/* Histogram bounds per family; more buckets than this cost scrape size for
 * no useful resolution. */
#define ENT_METRICS_MAX_BUCKETS 64

typedef struct ent_metrics ent_metrics_t;
typedef struct ent_metrics_family ent_metrics_family_t;
typedef struct ent_metrics_counter ent_metrics_counter_t;
typedef struct ent_metrics_gauge ent_metrics_gauge_t;
typedef struct ent_metrics_histogram ent_metrics_histogram_t;

/* Callback gauge: evaluated on the loop thread each time the registry is
 * rendered.  Must not call back into the registry.  Returning NaN is
 * allowed and is rendered as "NaN". */
typedef double (*ent_metrics_gauge_fn)(void *arg);

/* ------------------------------------------------------------------------
 * Registry
 * ------------------------------------------------------------------------ */

/* Creates a registry.  `prefix` names the daemon (e.g.
 * "entretiens_scheduler") and must itself be a valid metric name; it is used
 * for the built-in "<prefix>_build_info" gauge whose `version` label carries
 * `version` (any UTF-8 text, escaped on output).  Both strings are copied.
 * Returns NULL with errno set:
 *   EINVAL  prefix or version NULL, prefix not a valid metric name,
 *           version not valid UTF-8;
 *   ENOMEM  out of memory. */
ent_metrics_t *ent_metrics_new(const char *prefix, const char *version);

/* Frees the registry and every family and child it handed out; all handles
 * become invalid.  Sets *p to NULL.  Safe on NULL and on *p == NULL. */
void ent_metrics_destroy(ent_metrics_t **p);

/* Renders the whole registry in Prometheus text format 0.0.4: "# HELP" and
 * "# TYPE" once per family before its samples, escaped help and label
 * values, cumulative histogram buckets ending with le="+Inf", then _sum and
 * _count; the text ends with a newline.  Callback gauges are evaluated now.
 * On success *out is a NUL-terminated malloc'd buffer the caller frees with
 * free(), and *len its length without the NUL.
 * Returns:
 *   0       success;
 *   EINVAL  m, out or len NULL (*out untouched);
 *   ENOMEM  out of memory (*out set to NULL, *len to 0). */
int ent_metrics_render(ent_metrics_t *m, char **out, size_t *len);

/* ------------------------------------------------------------------------
 * Families (registration, once at start)
 *
 * `labels` points to `nlabels` label names (0 <= nlabels <=
 * ENT_METRICS_MAX_LABELS; `labels` may be NULL when nlabels is 0).  Names,
 * help and labels are copied.  Each returns NULL with errno set:
 *   EINVAL  m, name or help NULL; empty help; invalid metric or label name;
 *           duplicate label name; too many labels; counter name not ending
 *           in "_total"; help not valid UTF-8; (histogram) bad bounds or a
 *           label named "le";
 *   EEXIST  the name (or one of a histogram's series names) is taken;
 *   ENOMEM  out of memory.
 * ------------------------------------------------------------------------ */

ent_metrics_family_t *ent_metrics_counter_family(ent_metrics_t *m, const char *name,
                                                 const char *help, size_t nlabels,
                                                 const char *const *labels);

ent_metrics_family_t *ent_metrics_gauge_family(ent_metrics_t *m, const char *name,
                                               const char *help, size_t nlabels,
                                               const char *const *labels);

/* `bounds` holds `nbounds` upper bounds (0 <= nbounds <=
 * ENT_METRICS_MAX_BUCKETS), finite and strictly increasing; the "+Inf"
 * bucket is implicit and must not be listed.  The bounds are copied. */
ent_metrics_family_t *ent_metrics_histogram_family(ent_metrics_t *m, const char *name,
                                                   const char *help, size_t nlabels,
                                                   const char *const *labels,
                                                   const double *bounds, size_t nbounds);

/* ------------------------------------------------------------------------
 * Children (look up once, keep the pointer)
 *
 * `values` points to the family's nlabels label values, in label order
 * (may be NULL for a family without labels).  The first call for a tuple
 * creates the child (starting at 0); later calls return the same pointer.
 * Lookup is a linear scan: do it at start or on first use, not per event.
 * Each returns NULL with errno set:
 *   EINVAL  f NULL; a value NULL or not valid UTF-8; f is not of the kind
 *           the function names;
 *   ENOMEM  out of memory.
 * ------------------------------------------------------------------------ */

ent_metrics_counter_t *ent_metrics_counter_child(ent_metrics_family_t *f,
                                                 const char *const *values);

ent_metrics_gauge_t *ent_metrics_gauge_child(ent_metrics_family_t *f,
                                             const char *const *values);

ent_metrics_histogram_t *ent_metrics_histogram_child(ent_metrics_family_t *f,
                                                     const char *const *values);

/* Binds a callback to the gauge child for `values` (created if needed).
 * From then on the rendered value is fn(arg), evaluated at render time,
 * and ent_metrics_gauge_set/add on that child no longer show.  Binding
 * again replaces the callback.  fn NULL unbinds (the stored value shows
 * again).  Returns the child, or NULL with errno as for
 * ent_metrics_gauge_child(). */
ent_metrics_gauge_t *ent_metrics_gauge_bind(ent_metrics_family_t *f,
                                            const char *const *values,
                                            ent_metrics_gauge_fn fn, void *arg);

/* ------------------------------------------------------------------------
 * Shortcuts for families without labels: register the family and return
 * its single child.  Errors as for the family functions above.
 * ------------------------------------------------------------------------ */

ent_metrics_counter_t *ent_metrics_counter(ent_metrics_t *m, const char *name,
                                           const char *help);

ent_metrics_gauge_t *ent_metrics_gauge(ent_metrics_t *m, const char *name,
                                       const char *help);

ent_metrics_gauge_t *ent_metrics_gauge_callback(ent_metrics_t *m, const char *name,
                                                const char *help,
                                                ent_metrics_gauge_fn fn, void *arg);

/* A callback (ent_metrics_gauge_fn) that returns the double arg points
 * to: binds a gauge to a variable its owner updates, e.g. a count
 * published when a turn commits.  arg must outlive the registry. */
double ent_metrics_gauge_read(void *arg);

ent_metrics_histogram_t *ent_metrics_histogram(ent_metrics_t *m, const char *name,
                                               const char *help,
                                               const double *bounds, size_t nbounds);

/* ------------------------------------------------------------------------
 * Hot path.  Each is a plain load/add/store; NULL handles are ignored.
 * ------------------------------------------------------------------------ */

/* Adds 1. */
void ent_metrics_counter_inc(ent_metrics_counter_t *c);

/* Adds v.  Counters only go up: v < 0 or NaN is ignored. */
void ent_metrics_counter_add(ent_metrics_counter_t *c, double v);

/* Current value (0 for NULL). */
double ent_metrics_counter_value(const ent_metrics_counter_t *c);

void ent_metrics_gauge_set(ent_metrics_gauge_t *g, double v);
void ent_metrics_gauge_add(ent_metrics_gauge_t *g, double v);   /* v may be < 0 */

/* Stored value (0 for NULL); a bound callback is NOT called. */
double ent_metrics_gauge_value(const ent_metrics_gauge_t *g);

/* Records one observation: finds the first bound >= v (linear scan over
 * the family's few bounds), counts it there, adds v to the sum.  NaN is
 * ignored, so that one bad sample cannot poison _sum forever. */
void ent_metrics_histogram_observe(ent_metrics_histogram_t *h, double v);

#endif
