# The cheat-sheet's process program, as published (comments translated; n may be given on the command line).
import sys
import time
import multiprocessing

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000_000


def task(n=N):
    """A function that imitates a task."""
    while n:
        n -= 1

if __name__ == '__main__':
    start = time.time()
    # Create two processes.
    p1 = multiprocessing.Process(target=task)
    p2 = multiprocessing.Process(target=task)
    # Start both processes.
    p1.start()
    p2.start()
    # Wait until both processes have finished.
    p1.join()
    p2.join()
    finish = time.time()
    print(f'It took {finish-start} seconds.')
