/* measure: run several commands interleaved, one run of each per round, and record per run
 * the wall time and the user and system CPU time, then, in a second pass, the peak RSS.
 *
 * Interleaving matters on a noisy machine: a burst of load from a neighbour hits every
 * command alike instead of one whole series, so the ratios between commands stay honest.
 * The order within a round rotates, so no command always runs right after another.
 *
 * Timed runs are started with posix_spawn (vfork: no page tables copied, no copy-on-write),
 * as hyperfine does: a fork() of even this small program costs milliseconds on a VM where a
 * fresh page costs microseconds, and would add that to every command alike. The peak RSS
 * comes from separate runs started with fork(): the kernel carries the peak RSS of the memory
 * a child had before its exec into ru_maxrss, and a vfork child shares ours.
 *
 * Usage: measure SPEC WARMUP RUNS RSS_RUNS > OUT.tsv
 *   SPEC: one command per line, fields separated by TABs: NAME, then argv[0] (a path), then
 *         the arguments. Each run gets stdin, stdout and stderr on /dev/null, no shell.
 *   OUT:  time  NAME  ROUND  WALL_US  USER_US  SYS_US  EXIT   (warm-up rounds omitted)
 *         rss   NAME  ROUND  MAXRSS_KB  EXIT  WALL_US   (the wall time of a fork + exec run)
 * Exit status: 0, or 1 if a measured run did not exit 0 (every run is still recorded).
 * Built by tests/bench/run-bench with gcc -O2. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

enum { kMaxCommands = 64, kMaxArgs = 64 };

struct command {
  char* name;
  char* argv[kMaxArgs + 1];
};

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int load(const char* path, struct command* commands) {
  FILE* in = fopen(path, "r");
  if (!in) {
    perror(path);
    exit(2);
  }
  int count = 0;
  char* line = NULL;
  size_t size = 0;
  while (getline(&line, &size, in) > 0) {
    line[strcspn(line, "\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    if (count == kMaxCommands) {
      fprintf(stderr, "measure: more than %d commands\n", kMaxCommands);
      exit(2);
    }
    struct command* c = &commands[count++];
    char *copy = strdup(line), *save = NULL;
    c->name = strtok_r(copy, "\t", &save);
    int argc = 0;
    for (char* arg; argc < kMaxArgs && (arg = strtok_r(NULL, "\t", &save));) c->argv[argc++] = arg;
    c->argv[argc] = NULL;
    if (argc == 0) {
      fprintf(stderr, "measure: no command for %s\n", c->name);
      exit(2);
    }
  }
  free(line);
  fclose(in);
  return count;
}

static int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: measure SPEC WARMUP RUNS RSS_RUNS > OUT.tsv\n");
    return 2;
  }
  static struct command commands[kMaxCommands];
  const int count = load(argv[1], commands);
  const int warmup = atoi(argv[2]), runs = atoi(argv[3]), rss_runs = atoi(argv[4]);
  int failed = 0;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd = 0; fd <= 2; fd++) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  for (int round = 0; round < warmup + runs; round++) {
    for (int k = 0; k < count; k++) {
      const struct command* c = &commands[(round + k) % count];
      int status = 0;
      struct rusage usage;
      pid_t pid;
      const double start = now_us();
      if (posix_spawn(&pid, c->argv[0], &actions, NULL, c->argv, environ) != 0) {
        perror(c->argv[0]);
        return 2;
      }
      while (wait4(pid, &status, 0, &usage) < 0) {
      }
      const double wall = now_us() - start;
      if (round < warmup) continue;
      if (exit_code(status) != 0) failed = 1;
      printf("time\t%s\t%d\t%.1f\t%.0f\t%.0f\t%d\n", c->name, round - warmup, wall,
             usage.ru_utime.tv_sec * 1e6 + usage.ru_utime.tv_usec,
             usage.ru_stime.tv_sec * 1e6 + usage.ru_stime.tv_usec, exit_code(status));
    }
  }

  const int null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int null_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  fflush(stdout);
  for (int round = 0; round < rss_runs; round++) {
    for (int k = 0; k < count; k++) {
      const struct command* c = &commands[(round + k) % count];
      const double start = now_us();
      const pid_t pid = fork();
      if (pid < 0) {
        perror("fork");
        return 2;
      }
      if (pid == 0) {
        dup2(null_in, 0);
        dup2(null_out, 1);
        dup2(null_out, 2);
        execv(c->argv[0], c->argv);
        _exit(127);
      }
      int status = 0;
      struct rusage usage;
      while (wait4(pid, &status, 0, &usage) < 0) {
      }
      const double wall = now_us() - start;
      if (exit_code(status) != 0) failed = 1;
      printf("rss\t%s\t%d\t%ld\t%d\t%.1f\n", c->name, round, usage.ru_maxrss, exit_code(status),
             wall);
    }
  }
  return failed;
}
