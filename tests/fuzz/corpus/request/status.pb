j

s6-session