# catch.gdb: stop the first time answer() returns with its buffer still
# allocated, and show how the request got there.
set pagination off
set confirm off
set debuginfod enabled off
set print frame-arguments scalars

set $live = 0
# buf has just come back from read_status(): remember it...
break queuemon.c:126
commands
  silent
  set $live = buf
  continue
end
# ...forget it when it is freed...
break free if $live != 0 && $rdi == $live
commands
  silent
  set $live = 0
  continue
end
# ...and stop on the way out of answer() if it was not. Every return of the
# function passes the closing brace.
break queuemon.c:154 if $live != 0

continue
printf "answer() is returning; buf %p was never freed\n", $live
backtrace
print/x reqinfo->mode
print vb->name[0]@vb->name_length
delete
detach
