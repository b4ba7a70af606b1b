"""outstanding.py: for gdb attached to snmpd (gdb -batch -x outstanding.py
-p PID).  Records every malloc() of SIZE bytes, with its stack, over PACKETS
incoming SNMP packets, forgets each block that free() takes back, and prints
the ones left.  x86-64: breakpoints on the first instruction of malloc() and
free() find the argument in $rdi; malloc() returns the block in $rax."""
import gdb

SIZE = 4096  # the size the symptom points at; None records every malloc()
PACKETS = 7  # one walk of the table; stop when the next packet arrives

live = {}  # block address -> (packet it was allocated in, allocating stack)
packet = 0
allocated = 0


class Malloc(gdb.Breakpoint):
    def stop(self):
        return SIZE is None or int(gdb.parse_and_eval("$rdi")) == SIZE


class Returned(gdb.FinishBreakpoint):
    """Where one malloc() returns: note the block it hands out."""

    def __init__(self, stack):
        super().__init__(gdb.newest_frame(), internal=True)
        self.silent = True
        self.stack = stack

    def stop(self):
        global allocated
        address = int(gdb.parse_and_eval("$rax"))
        if address:  # NULL: nothing was allocated
            live[address] = (packet, self.stack)
            allocated += 1
        return False


class Free(gdb.Breakpoint):
    def stop(self):
        live.pop(int(gdb.parse_and_eval("$rdi")), None)
        return False


class Packet(gdb.Breakpoint):
    # Counted once the library has received and parsed a packet: what it
    # allocates on the way in is labelled with the previous packet's number.
    def stop(self):
        global packet
        packet += 1
        return packet > PACKETS


if not gdb.selected_inferior().pid:  # gdb -p failed, and said why
    raise gdb.GdbError("not attached to snmpd: run as root, or see kernel.yama.ptrace_scope")
gdb.execute("set pagination off")
# Let the signals snmpd gets in normal work through without stopping it.
gdb.execute("handle SIGHUP SIGPIPE SIGALRM SIGCHLD nostop noprint pass",
            to_string=True)
malloc = Malloc("*malloc")
for bp in (malloc, Free("*free"), Packet("handle_snmp_packet")):
    bp.silent = True
stops = []  # what stopped the daemon during the last "continue"
gdb.events.stop.connect(stops.append)
while packet <= PACKETS:
    stops.clear()
    gdb.execute("continue", to_string=True)
    if not stops:
        raise gdb.GdbError(f"snmpd exited after {packet} packets")
    # Another signal stops it too; the next "continue" delivers it.
    if isinstance(stops[-1], gdb.BreakpointEvent) and malloc in stops[-1].breakpoints:
        # Stopped on a malloc(SIZE): note who called, catch what it returns.
        Returned(gdb.execute("backtrace 4", to_string=True))

size = "any size" if SIZE is None else f"{SIZE} bytes"
print(f"{len(live)} of {allocated} blocks of {size} from {PACKETS} packets not freed")
for address, (number, stack) in sorted(live.items(), key=lambda item: item[1][0]):
    print(f"{address:#x} from packet {number}:")
    print(stack, end="")
gdb.execute("detach")
