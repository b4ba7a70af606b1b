# catch.gdb: stop the first time answer() returns with its buffer still
# allocated, and show how the request got there.
set pagination off
set confirm off

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
# ...so stop on its way out if it has not.  Line 156 is the closing brace of
# the leaking answer(), which at -O0 every return passes through.  The line
# belongs to that source: after the fix, 156 is the free() itself.
break queuemon.c:156 if buf != 0 && !$freed

continue
printf "answer() is returning; buf %p was never freed\n", buf
backtrace
print/x reqinfo->mode
print vb->name[0]@vb->name_length
delete
detach
