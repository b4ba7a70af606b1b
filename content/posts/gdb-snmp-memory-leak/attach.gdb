# attach.gdb: look inside the running agent, then let it go.
set pagination off
set debuginfod enabled off
printf "--- counters\n"
print stats
printf "--- bytes malloc has handed out and not taken back\n"
print heap_in_use()
printf "--- where the agent waits between requests\n"
frame function daemonize
detach
