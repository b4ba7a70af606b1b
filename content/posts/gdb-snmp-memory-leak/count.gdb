# count.gdb: count the allocator calls behind each packet snmpd handles,
# for 12 packets.
set pagination off
set confirm off
set debuginfod enabled off

set $mallocs = 0
set $callocs = 0
set $frees = 0
set $packet = 0
break malloc
commands
  silent
  set $mallocs = $mallocs + 1
  continue
end
break calloc
commands
  silent
  set $callocs = $callocs + 1
  continue
end
break free
commands
  silent
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
    printf "packet %2d: malloc %2d, calloc %2d, free %2d, malloc + calloc - free %+d\n", $packet, $mallocs, $callocs, $frees, $mallocs + $callocs - $frees
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
