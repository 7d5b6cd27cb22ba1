# The same task twice, one after the other, in the cheat-sheet's style (it has no sequential program).
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000_000


def task(n=N):
    """A function that imitates a task."""
    while n:
        n -= 1

if __name__ == '__main__':
    start = time.time()
    task()
    task()
    finish = time.time()
    print(f'It took {finish - start} seconds.')
