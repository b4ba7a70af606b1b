# count.gdb: tally malloc and free per request, and stop on the suspect path.
set pagination off
set confirm off
set debuginfod enabled off
set print frame-arguments scalars

# Run to main first: the loader's own allocations are over by then.
start -n 1 walk.txt > /dev/null

set $mallocs = 0
set $frees = 0
break malloc
commands
  silent
  set $mallocs = $mallocs + 1
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

# Remember the counters as each request starts...
break handle_request
commands
  silent
  set $m0 = $mallocs
  set $f0 = $frees
  continue
end
# ...and print the difference once it has been answered.
break agent.c:254
commands
  silent
  printf "%-28s malloc %d, free %d\n", line, $mallocs - $m0, $frees - $f0
  continue
end

# The suspect: getnext returning endOfMibView.
break agent.c:182
commands
  silent
  printf "endOfMibView: o = %p still allocated on return\n", o
  backtrace 3
  continue
end

continue
printf "total: malloc %d, free %d\n", $mallocs, $frees
