# The cheat-sheet's thread program, as published (comments translated; n may be given on the command line).
import sys
import time
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000_000


def task(n=N):
    """A function that imitates a task."""
    while n:
        n -= 1

if __name__ == '__main__':
    # Take the time with the best precision available.
    start = time.time()
    # Create two threads.
    p1 = threading.Thread(target=task)
    p2 = threading.Thread(target=task)
    # Start both threads.
    p1.start()
    p2.start()
    # Wait until both threads have finished.
    p1.join()
    p2.join()
    finish = time.time()
    print(f'It took {finish - start} seconds.')
