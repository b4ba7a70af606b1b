# catch.gdb: stop the first time answer() returns with its buffer still
# allocated, and show how the request got there.
set pagination off
set confirm off
set debuginfod enabled off
set print frame-arguments scalars

set $freed = 0
# A new answer() has freed nothing yet...
break answer
commands
  silent
  set $freed = 0
  continue
end
# ...until it calls free()...
break *free if $_caller_is("answer")
commands
  silent
  set $freed = 1
  continue
end
# ...so stop on its way out if it has not.  Line 151 is answer()'s closing
# brace: at -O0 every return of the function passes through it.
break queuemon.c:151 if buf != 0 && !$freed

continue
printf "answer() is returning; buf %p was never freed\n", buf
backtrace
print/x reqinfo->mode
print vb->name[0]@vb->name_length
delete
detach
