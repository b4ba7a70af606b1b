# count.gdb: count the allocator calls behind each packet snmpd handles,
# for 12 packets.
set pagination off
set confirm off

# "*free": the first instruction of libc's free(), where $rdi is the argument.
set $mallocs = 0
set $callocs = 0
set $frees = 0
set $reallocs = 0
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
# realloc() may allocate, free or both: count it apart from the balance.
break *realloc
commands
  silent
  set $reallocs = $reallocs + 1
  continue
end
# snmpd calls handle_snmp_packet() once per request it receives: print what
# the previous packet cost, and stop at the 13th.
break handle_snmp_packet
commands
  silent
  if $packet > 0
    printf "%6d %6d %6d %4d %7d %+7d\n", $packet, $mallocs, $callocs, $frees, $reallocs, $mallocs + $callocs - $frees
  end
  set $packet = $packet + 1
  set $mallocs = 0
  set $callocs = 0
  set $frees = 0
  set $reallocs = 0
  if $packet <= 12
    continue
  end
end

printf "packet malloc calloc free realloc balance\n"
continue
delete
detach
