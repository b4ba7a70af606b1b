"""outstanding.py: gdb -batch -x outstanding.py -p PID, load snmpd, then
Ctrl-C.  The malloc(SIZE) blocks the packets in between left allocated,
with their stacks; then gdb detaches.
x86-64: the argument is in $rdi on the first instruction, the result in $rax."""
from collections import Counter

import gdb

SIZE = 4096  # the size the symptom points at; None records every malloc()

live = {}  # block address -> (packet it was allocated in, allocating stack)
packet = 0
callers = Counter()  # function that called malloc(SIZE) -> blocks


class Malloc(gdb.Breakpoint):
    def stop(self):
        return SIZE is None or int(gdb.parse_and_eval("$rdi")) == SIZE


class Returned(gdb.FinishBreakpoint):
    """Where one malloc() returns: note the block it hands out."""

    def __init__(self, stack, caller):
        super().__init__(gdb.newest_frame(), internal=True)
        self.silent = True
        self.stack, self.caller = stack, caller

    def stop(self):
        address = int(gdb.parse_and_eval("$rax"))
        if address:  # NULL: nothing was allocated
            live[address] = (packet, self.stack)
            callers[self.caller] += 1
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
        return False


if not gdb.selected_inferior().pid:  # gdb -p failed, and said why
    raise gdb.GdbError("not attached to snmpd: run as root, or see kernel.yama.ptrace_scope")
gdb.execute("set pagination off")
gdb.execute("set print frame-arguments none")  # one stack per call site
# Let the signals snmpd gets in normal work through without stopping it.
gdb.execute("handle SIGHUP SIGPIPE SIGALRM SIGCHLD nostop noprint pass",
            to_string=True)
malloc = Malloc("*malloc")
for bp in (malloc, Free("*free"), Packet("handle_snmp_packet")):
    bp.silent = True
stops = []  # what stopped the daemon during the last "continue"
gdb.events.stop.connect(stops.append)
try:
    while True:
        stops.clear()
        gdb.execute("continue", to_string=True)
        if not stops:
            raise gdb.GdbError(f"snmpd exited after {packet} packets")
        if getattr(stops[-1], "stop_signal", None) == "SIGINT":
            break  # Ctrl-C while snmpd ran
        # Another signal stops it too; the next "continue" delivers it.
        if isinstance(stops[-1], gdb.BreakpointEvent) and malloc in stops[-1].breakpoints:
            # Stopped on a malloc(SIZE): note who called, catch what it returns.
            caller = gdb.newest_frame().older()
            Returned(gdb.execute("backtrace 4", to_string=True),
                     caller and caller.name() or "??")
except KeyboardInterrupt:  # Ctrl-C while gdb was busy
    pass

size = "any size" if SIZE is None else f"{SIZE} bytes"
print(f"{len(live)} of {callers.total()} blocks of {size} from {packet} packets not freed")
print("allocated by", ", ".join(f"{name} {n}" for name, n in callers.most_common()))
sites = {}  # allocating stack -> packets its blocks still held come from
for number, stack in sorted(live.values()):
    sites.setdefault(stack, []).append(str(number))
for stack, numbers in sites.items():
    print(f"{len(numbers)} from packets {', '.join(numbers)}:")
    print(stack, end="")
gdb.execute("detach")
