# trace.gdb: follow the buffers of the queuemon module only.
set pagination off
set confirm off
set debuginfod enabled off

# Each buffer answer() gets, with the PDU type (0xa0 get, 0xa1 getnext).
dprintf queuemon.c:126, "answer(%#x): buf %p\n", reqinfo->mode, buf
# Each free called from answer(), and no other.
dprintf free, "  free(%p)\n", $rdi
condition $bpnum $_caller_is("answer")
# Let the first 8 packets through, stop at the 9th.
break handle_snmp_packet
ignore $bpnum 8

continue
info breakpoints 1 3
delete
detach
