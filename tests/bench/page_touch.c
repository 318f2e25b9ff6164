/* Calibration for docs/BENCHMARKS.md: what a fresh page costs on this machine. Maps N
 * anonymous pages and writes one byte in each (one page fault and one zeroed page each), or,
 * with a FILE argument, reads one byte every 64 KiB of that (page-cached) file (one page
 * fault each, which maps up to 16 pages of it: the kernel's fault-around). Built by
 * tests/bench/run-bench with `gcc -O2 -static`. Usage: page_touch N [FILE] */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char** argv) {
  const long n = argc > 1 ? atol(argv[1]) : 0;
  if (argc > 2) {
    const int fd = open(argv[2], O_RDONLY);
    volatile const char* p = mmap(0, (n + 1) * 65536, PROT_READ, MAP_PRIVATE, fd, 0);
    if (fd < 0 || p == MAP_FAILED) return 1;
    long sum = 0;
    for (long i = 0; i < n; i++) sum += p[i * 65536];
    return sum == -1;
  }
  volatile char* p =
      mmap(0, (n + 1) * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 1;
  for (long i = 0; i < n; i++) p[i * 4096] = 1;
  return 0;
}
