/* wakeup.c: how late this machine wakes a sleeping thread, nothing of
 * docket involved. One thread sleeps 1 ms again and again for a few
 * seconds and records how much later than asked it woke up: first with
 * the machine otherwise idle, then beside one busy loop per core (as
 * when wrk and a server keep every core busy). The busy maximum is the
 * longest stall any server on this machine can show under load, so a
 * case whose max is about that is limited by the machine, not by the
 * server. Prints one "BENCH_WAKEUP {json}" line. Used by run.sh.
 *
 *   bench_wakeup [--seconds S] */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop;

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *spin(void *arg)
{
    volatile unsigned long x = 0;

    (void)arg;
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        x++;
    return NULL;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Sleeps 1 ms for seconds s; the p50, p99 and max lateness in ms. */
static void measure(double s, double out[3])
{
    size_t cap = (size_t)(s * 1100) + 16, n = 0;
    double *late = malloc(cap * sizeof *late), end = now_ms() + s * 1e3;
    struct timespec ms1 = {0, 1000000};

    if (!late) {
        out[0] = out[1] = out[2] = -1;
        return;
    }
    while (n < cap && now_ms() < end) {
        double t = now_ms();
        nanosleep(&ms1, NULL);
        late[n++] = now_ms() - t - 1.0;
    }
    qsort(late, n, sizeof *late, dcmp);
    out[0] = n ? late[n / 2] : -1;
    out[1] = n ? late[(size_t)((double)n * 0.99)] : -1;
    out[2] = n ? late[n - 1] : -1;
    free(late);
}

int main(int argc, char **argv)
{
    double s = 3, idle[3], busy[3];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    pthread_t th[64];
    int nth = 0;

    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            s = atof(argv[++i]);
    if (s <= 0 || s > 60) {
        fprintf(stderr, "usage: bench_wakeup [--seconds S (0-60)]\n");
        return 2;
    }
    measure(s, idle);
    for (long i = 0; i < cores && i < 64; i++)
        if (pthread_create(&th[nth], NULL, spin, NULL) == 0)
            nth++;
    measure(s, busy);
    atomic_store(&stop, 1);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    printf("BENCH_WAKEUP {\"seconds\": %.1f, \"busy_loops\": %d, "
           "\"idle_p50_ms\": %.3f, \"idle_p99_ms\": %.3f, "
           "\"idle_max_ms\": %.1f, \"busy_p50_ms\": %.3f, "
           "\"busy_p99_ms\": %.3f, \"busy_max_ms\": %.1f}\n",
           s, nth, idle[0], idle[1], idle[2], busy[0], busy[1], busy[2]);
    return 0;
}
