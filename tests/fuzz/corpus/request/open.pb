Z

s6-sessionæå