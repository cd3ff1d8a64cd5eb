# Read by every bash step act runs here (BASH_ENV). act runs a step on a terminal and stops
# reading it the moment a step fails, so the last lines a failing step wrote (pytest's
# FAILED summary, say) were lost about one time in ten. A failing step waits 0.1 s before
# it exits, time for act to read them. Passing steps do not wait. A step that sets its own
# EXIT trap replaces this one.
trap 'status=$?; [ "$status" -ne 0 ] && sleep 0.1; exit "$status"' EXIT
