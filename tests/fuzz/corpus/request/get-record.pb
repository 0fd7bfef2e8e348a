’

s6-session