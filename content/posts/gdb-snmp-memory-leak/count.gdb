# count.gdb: count the allocator calls behind each packet snmpd handles,
# for 12 packets.
set pagination off
set confirm off
# Unattended and offline: never stop to download symbols.
set debuginfod enabled off

# "*free" is the first instruction of libc's free(), where x86-64 still has
# the first argument in $rdi.  "break free" would also stop at copies of the
# dynamic loader's free() inlined into ld.so, where $rdi is anything.
set $mallocs = 0
set $callocs = 0
set $frees = 0
set $packet = 0
break *malloc
commands
  silent
  set $mallocs = $mallocs + 1
  continue
end
break *calloc
commands
  silent
  set $callocs = $callocs + 1
  continue
end
break *free
commands
  silent
  # free(NULL) does nothing: do not count it.
  if $rdi != 0
    set $frees = $frees + 1
  end
  continue
end
# snmpd calls handle_snmp_packet() once per request it receives: print what
# the previous packet cost, and stop at the 13th.
break handle_snmp_packet
commands
  silent
  if $packet > 0
    printf "packet %2d: malloc %2d  calloc %2d  free %2d  balance %+d\n", $packet, $mallocs, $callocs, $frees, $mallocs + $callocs - $frees
  end
  set $packet = $packet + 1
  set $mallocs = 0
  set $callocs = 0
  set $frees = 0
  if $packet <= 12
    continue
  end
end

continue
delete
detach
