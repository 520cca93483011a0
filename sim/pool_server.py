"""The local pool's forkserver imports this first (sim.pool): from then on it ignores Ctrl-C.

The workers it forks inherit that, so a Ctrl-C in the terminal stops only the parent, which
stops the workers. sim.pool starts the server with Ctrl-C blocked, so one pressed before
this import is held; ignoring it discards it, and then it can be unblocked.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
