# trace.gdb: follow the queuemon module's calls only.
set pagination off
set confirm off

# Each call of answer(), with the PDU type (0xa0 GET, 0xa1 GETNEXT).
dprintf answer, "answer(%#x)\n", reqinfo->mode
# Each free() called from answer(), and no other.
dprintf *free, "  free(%p)\n", $rdi
condition $bpnum $_caller_is("answer")
# Let the first 8 packets through, stop at the 9th.
break handle_snmp_packet
ignore $bpnum 8

continue
info breakpoints 1 3
delete
detach
